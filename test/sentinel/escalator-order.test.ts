/**
 * The outbox delivers an incident's Sentinel calls in any order (a retried call goes after the ones
 * behind it): whatever the order, the incident ends with every escalation's facts exactly once, and
 * a close lands even when the incident's create has not.
 */
import { IncidentEscalator, type SentinelEscalation } from '../../src/sentinel/incident-escalator';
import { SentinelIncidents } from '../../src/sentinel/sentinel-incidents';
import { sentinelCommentId, sentinelIncidentId, type IncidentKey } from '../../src/sentinel/sentinel-ids';
import { startSentinelFixture, type SentinelFixture } from './sentinel-fixture';

const ANALYST = { aadObjectId: '2046FEEA-040D-4A46-9E2B-91C2941BFA70', name: 'Ada Analyst' };
const THREAD = 'https://teams.microsoft.com/l/message/19%3Aabc%40thread.tacv2/1700000000000';

let fixture: SentinelFixture;
let escalator: IncidentEscalator;
let next = 1;

beforeAll(async () => {
  fixture = await startSentinelFixture();
  escalator = new IncidentEscalator({ incidents: new SentinelIncidents({ client: fixture.client(), workspace: fixture.workspace }) });
});

afterAll(() => fixture.close());

function key(): IncidentKey {
  return { team: 'tenant', number: next++, openedAt: new Date('2026-01-10T09:00:00.000Z') };
}

function escalation(incident: IncidentKey, opened: boolean, escalationId: string, deviceName: string): SentinelEscalation {
  return {
    incident: { ...incident, title: 'Kaseya on WS-FIN-014' },
    opened,
    escalationId,
    finding: {
      deviceId: 'd'.repeat(40),
      deviceName,
      toolName: 'Kaseya',
      window: { ms: 5 * 86_400_000 },
      firstSeen: new Date('2026-01-05T10:00:00.000Z'),
      lastSeen: new Date('2026-01-09T17:30:00.000Z'),
      count: 3,
      reportIds: ['r1'],
      query: "DeviceFileCertificateInfo\n| where Signer has 'Kaseya'",
    },
    note: '',
    escalatedBy: ANALYST,
    at: new Date('2026-01-10T09:00:00.000Z'),
    threadUrl: THREAD,
  };
}

test('the opening escalation delivered after a later one goes in as a comment, once', async () => {
  const incident = key();
  await escalator.escalate(escalation(incident, false, 'later', 'WS-FIN-015'));
  await escalator.escalate(escalation(incident, true, 'opening', 'WS-FIN-014'));
  await escalator.escalate(escalation(incident, true, 'opening', 'WS-FIN-014'));
  const stored = fixture.arm.sentinel().incidents.get(sentinelIncidentId(incident))!;
  expect(stored.properties.description).toContain('its escalations are in the comments');
  expect([...stored.comments.keys()].sort()).toEqual([sentinelCommentId('later'), sentinelCommentId('opening')].sort());
  expect(stored.comments.get(sentinelCommentId('opening'))!.message).toContain('Escalated from HuntOps by Ada Analyst');
  expect(stored.comments.get(sentinelCommentId('opening'))!.message).toContain('Device: WS-FIN-014');
});

test('a repeated opening escalation finds its own incident and adds nothing', async () => {
  const incident = key();
  await escalator.escalate(escalation(incident, true, 'opening', 'WS-FIN-014'));
  const result = await escalator.escalate(escalation(incident, true, 'opening', 'WS-FIN-014'));
  expect(result).toMatchObject({ createdIncident: false });
  expect(result.commentId).toBeUndefined();
  expect(fixture.arm.sentinel().incidents.get(sentinelIncidentId(incident))!.comments.size).toBe(0);
});

test('a close before the create: with ifMissing the incident is made and closed, and the escalation then goes in as a comment', async () => {
  const incident = key();
  const closing = { reason: 'expected' as const, closedBy: { name: 'Bo Responder' }, comment: 'IT rollout' };
  await expect(escalator.close(incident, closing)).rejects.toMatchObject({ failure: 'not-found' });
  expect(await escalator.close(incident, { ...closing, ifMissing: { title: 'Kaseya on WS-FIN-014', threadUrl: THREAD } })).toEqual({ incidentId: sentinelIncidentId(incident), closed: true });
  await escalator.escalate(escalation(incident, true, 'opening', 'WS-FIN-014'));
  const stored = fixture.arm.sentinel().incidents.get(sentinelIncidentId(incident))!;
  expect(stored.properties).toMatchObject({ title: 'HuntOps: Kaseya on WS-FIN-014', status: 'Closed', classification: 'BenignPositive' });
  expect(stored.properties.description).toContain(`Teams thread: ${THREAD}`);
  expect([...stored.comments.keys()]).toEqual([sentinelCommentId('opening')]);
});
