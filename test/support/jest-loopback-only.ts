/**
 * Jest setup (`setupFilesAfterEnv`): the code a test runs in-process — the bot on the test harness,
 * the SDK clients, the test itself — reaches loopback only, and a test file that tried to connect
 * anywhere else fails, even if the refused connection went unnoticed by the code that made it.
 */
import { refuseOutboundExceptLoopback, takeRefusedConnections } from './loopback-only-outbound';

refuseOutboundExceptLoopback();

afterAll(() => {
  const refused = takeRefusedConnections();
  if (refused.length > 0) throw new Error(`this test file tried to reach ${refused.join(', ')}: tests reach loopback only`);
});
