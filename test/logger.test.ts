import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createHttpHeaders, RestError, createPipelineRequest } from '@azure/core-rest-pipeline';
import { isSecretKey, redactText } from '../src/log-redaction';
import { createLogger, inTurn } from '../src/logger';

function capture() {
  const lines: any[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n').map((l) => JSON.parse(l)));
      done();
    },
  });
  return { lines, log: createLogger('info', stream) };
}

describe('logger', () => {
  test('one turn id on every line of a turn, including work that finishes after it', async () => {
    const { lines, log } = capture();
    let later: Promise<void> = Promise.resolve();
    inTurn(() => {
      log.info({}, 'turn started');
      later = new Promise<void>((resolve) => setTimeout(resolve, 10)).then(() => log.info({}, 'hunt finished'));
    }, 'turn-1');
    inTurn(() => log.info({}, 'another turn'), 'turn-2');
    log.info({}, 'outside any turn');
    await later;
    expect(lines.map((l) => [l.msg, l.turnId])).toEqual([
      ['turn started', 'turn-1'],
      ['another turn', 'turn-2'],
      ['outside any turn', undefined],
      ['hunt finished', 'turn-1'],
    ]);
  });

  test("a line's fields stay on that line: the next line of the same turn does not carry them", () => {
    const { lines, log } = capture();
    inTurn(() => {
      log.info({ outboxId: 'o1' }, 'posted');
      log.info({ watch: 3 }, 'watch run finished');
    }, 'turn-1');
    expect(lines).toMatchObject([
      { msg: 'posted', turnId: 'turn-1', outboxId: 'o1' },
      { msg: 'watch run finished', turnId: 'turn-1', watch: 3 },
    ]);
    expect(lines[1].outboxId).toBeUndefined();
  });

  test('secrets are redacted', () => {
    const { lines, log } = capture();
    log.info({ config: { password: 's3cret' }, headers: { authorization: 'Bearer abc' }, store: { connectionString: 'AccountKey=xyz' }, token: 't' }, 'x');
    const text = JSON.stringify(lines);
    for (const secret of ['s3cret', 'Bearer abc', 'AccountKey=xyz', '"t"']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  describe('credentials and tokens are stripped at any depth', () => {
    const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJhdWQiOiJodW50b3BzIiwiaXNzIjoieCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const SAS_SIG = 'Zm9yZ2VkLXNhcy1zaWduYXR1cmU%3D';
    const ACCOUNT_KEY = 'c2VjcmV0LWFjY291bnQta2V5LWRvLW5vdC1sb2c=';
    const CLIENT_SECRET = 'Xy8Q~client.secret-value_42';
    const MSI_HEADER = 'msi-header-secret-91';
    const SECRETS = [JWT, SAS_SIG, ACCOUNT_KEY, CLIENT_SECRET, MSI_HEADER, 'opaque-bearer-4242', 'refresh-me-7', 'hunter2-pass', 'YWRtaW46cGFzcw=='];

    function logged(write: (log: ReturnType<typeof capture>['log']) => void): string {
      const { lines, log } = capture();
      write(log);
      expect(lines.length).toBeGreaterThan(0);
      return JSON.stringify(lines);
    }

    function expectNoSecret(text: string): void {
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }

    test('nested authorization and Authorization headers, access_token, client_secret, MSI header', () => {
      const text = logged((log) =>
        log.warn(
          {
            call: {
              request: { options: { headers: { Authorization: `Bearer ${JWT}`, 'X-IDENTITY-HEADER': MSI_HEADER, accept: 'application/json' } } },
              retries: [{ headers: { authorization: 'Bearer opaque-bearer-4242' } }],
            },
            response: { body: { access_token: JWT, refresh_token: 'refresh-me-7', token_type: 'Bearer', expires_in: 3599 } },
            form: `grant_type=client_credentials&client_id=app&client_secret=${CLIENT_SECRET}&scope=https%3A%2F%2Fapi.botframework.com%2F.default`,
            settings: { auth: { clientSecret: CLIENT_SECRET, MicrosoftAppPassword: 'hunter2-pass' } },
          },
          'token request failed',
        ),
      );
      expectNoSecret(text);
      const [line] = JSON.parse(text);
      expect(line.call.request.options.headers).toEqual({ Authorization: '[redacted]', 'X-IDENTITY-HEADER': '[redacted]', accept: 'application/json' });
      expect(line.call.retries[0].headers.authorization).toBe('[redacted]');
      expect(line.response.body).toEqual({ access_token: '[redacted]', refresh_token: '[redacted]', token_type: 'Bearer', expires_in: 3599 });
      expect(line.form).toContain('client_id=app&client_secret=[redacted]&scope=');
    });

    test('SAS signatures and account keys in connection strings and URLs', () => {
      const text = logged((log) =>
        log.error(
          {
            store: {
              spec: {
                cs: `TableEndpoint=https://x.table.core.windows.net;SharedAccessSignature=sv=2024-08-04&ss=t&srt=sco&sp=rwdlacu&sig=${SAS_SIG}`,
                other: `DefaultEndpointsProtocol=https;AccountName=huntops;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`,
              },
            },
            url: `https://huntops.table.core.windows.net/huntopshunts?sv=2024-08-04&se=2026-01-01&sig=${SAS_SIG}`,
          },
          'store unavailable',
        ),
      );
      expectNoSecret(text);
      expect(text).toContain('AccountName=huntops');
      expect(text).toContain('https://huntops.table.core.windows.net/huntopshunts?sv=2024-08-04&se=2026-01-01&sig=[redacted]');
    });

    test('bearer tokens inside error messages, stacks, causes and enumerable error properties', () => {
      const cause = new Error(`upstream said: invalid token ${JWT}`);
      const error = Object.assign(new Error('POST https://smba.example/v3/conversations failed; sent Authorization: Bearer opaque-bearer-4242', { cause }), {
        config: { headers: { Authorization: `Basic YWRtaW46cGFzcw==` } },
      });
      const text = logged((log) => {
        log.error({ err: error }, 'could not post');
        log.error({ outbox: { attempt: { failure: { err: error } } } }, 'nested');
        log.error(error);
        log.warn({}, `refused: Authorization: Bearer ${JWT}`);
        log.warn('interpolated %s', `Bearer opaque-bearer-4242`);
      });
      expectNoSecret(text);
      const lines = JSON.parse(text);
      expect(lines[0].err).toMatchObject({ type: 'Error', message: expect.stringContaining('sent Authorization: Bearer [redacted]') });
      expect(lines[0].err.cause.message).toBe('upstream said: invalid token [redacted]');
      expect(lines[0].err.config.headers.Authorization).toBe('[redacted]');
      expect(lines[1].outbox.attempt.failure.err.message).toContain('Bearer [redacted]');
      expect(lines[2].msg).toContain('Bearer [redacted]');
      expect(lines[4].msg).toBe('interpolated Bearer [redacted]');
    });

    test('an Azure SDK request and error, and an incoming HTTP request object', () => {
      const request = createPipelineRequest({
        url: `https://api.loganalytics.io/v1/workspaces/w/query?sig=${SAS_SIG}`,
        headers: createHttpHeaders({ authorization: `Bearer ${JWT}`, 'x-ms-client-request-id': 'req-1' }),
      });
      const sdkError = new RestError(`Request failed with access_token=${JWT}`, { code: 'AuthenticationFailed', statusCode: 401, request });
      const incoming = new IncomingMessage(new Socket());
      incoming.method = 'POST';
      incoming.url = '/api/messages';
      incoming.headers = { authorization: `Bearer ${JWT}`, 'content-type': 'application/json' };
      const text = logged((log) => {
        log.warn({ request, err: sdkError }, 'query failed');
        log.warn({ req: incoming }, 'refused');
      });
      expectNoSecret(text);
      const lines = JSON.parse(text);
      expect(JSON.stringify(lines[0].request)).toContain('x-ms-client-request-id');
      expect(lines[0].err).toMatchObject({ code: 'AuthenticationFailed', statusCode: 401 });
      expect(lines[1].req).toMatchObject({ method: 'POST', url: '/api/messages', headers: { authorization: '[redacted]', 'content-type': 'application/json' } });
    });

    test('child bindings, cycles and deep nesting', () => {
      const cyclic: Record<string, unknown> = { name: 'loop' };
      cyclic.self = cyclic;
      let deep: Record<string, unknown> = { password: 'hunter2-pass' };
      for (let i = 0; i < 30; i++) deep = { level: i, deep };
      const text = logged((log) => {
        log.child({ session: { access_token: JWT } }).info({ cyclic }, 'child');
        log.info({ deep }, 'deep');
      });
      expectNoSecret(text);
      expect(text).toContain('[circular]');
    });

    test('adversary text in a log line is scanned in time linear in its length', () => {
      const hostile = (n: number) => `${'eyJ-'.repeat(n)} Bearer ${' '.repeat(n)} password${' '.repeat(n)}`;
      const ms = (text: string) => {
        const started = performance.now();
        redactText(text);
        return performance.now() - started;
      };
      ms(hostile(100));
      const short = ms(hostile(2_000));
      const long = ms(hostile(8_000));
      expect(long).toBeLessThan(Math.max(8 * short, 50));
      expect(redactText(`${hostile(10)} eyJhbGciOi.eyJzdWIiOi.c2ln`)).toContain('[redacted]');
    });

    test('what is not a secret is kept', () => {
      expect(isSecretKey('Authorization')).toBe(true);
      expect(isSecretKey('client-secret')).toBe(true);
      expect(isSecretKey('continuationToken')).toBe(true);
      expect(isSecretKey('turnId')).toBe(false);
      expect(isSecretKey('tokens')).toBe(false);
      expect(redactText('hunt kaseya 5d on WS-FIN-014: 3 devices, token_type Bearer')).toBe('hunt kaseya 5d on WS-FIN-014: 3 devices, token_type Bearer');
      expect(redactText('signature verified; designer=ok')).toBe('signature verified; designer=ok');
    });
  });
});
