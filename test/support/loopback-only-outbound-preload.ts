/**
 * Preload of the bot processes tests start (`node --require tsx/cjs --require <this file>`): they
 * reach loopback only, and each refused connection is written to stderr for the harness to see.
 */
import { REFUSED_MARKER, refuseOutboundExceptLoopback } from './loopback-only-outbound';

refuseOutboundExceptLoopback((target) => process.stderr.write(`${REFUSED_MARKER} ${target}\n`));
