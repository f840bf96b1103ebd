/**
 * The service URL allow-list on its own: Teams' documented Bot Connector hosts over HTTPS (plus, for
 * offline tests only, one loopback origin), or loopback when anonymous; judged on the canonical URL
 * so that look-alikes, credentials, encodings and parser tricks are refused. And the configuration of
 * the offline test endpoints: loopback only, with an app id only.
 */
import { ConfigError, loadConfig } from '../../src/config';
import { serviceUrlPolicyFor } from '../../src/teams/adapter';
import { ServiceUrlPolicy, ServiceUrlRefused, TEAMS_SERVICE_HOSTS } from '../../src/teams/service-url';

const teams = new ServiceUrlPolicy({ allow: 'teams' });
const loopback = new ServiceUrlPolicy({ allow: 'loopback' });
const teamsWithFake = new ServiceUrlPolicy({ allow: 'teams', alsoAllowOrigin: 'http://127.0.0.1:4000' });

const TEAMS_ALLOWED = [
  'https://smba.trafficmanager.net/amer/',
  'https://smba.trafficmanager.net/emea/',
  'https://smba.trafficmanager.net/apac/',
  'https://smba.trafficmanager.net/teams/',
  'https://smba.trafficmanager.net/amer/72f988bf-86f1-41af-91ab-2d7cd011db47/',
  'https://smba.trafficmanager.net',
  'https://smba.infra.gcc.teams.microsoft.com/teams',
  'https://smba.infra.gov.teams.microsoft.us/teams',
  'https://smba.infra.dod.teams.microsoft.us/teams',
];

const TEAMS_REFUSED: unknown[] = [
  'http://smba.trafficmanager.net/amer/',
  'https://smba.trafficmanager.net:8443/amer/',
  'https://smba.trafficmanager.net.attacker.invalid/amer/',
  'https://evil.smba.trafficmanager.net/amer/',
  'https://attacker.invalid/smba.trafficmanager.net/amer/',
  'https://attacker.invalid/?u=https://smba.trafficmanager.net/amer/',
  'https://smba.trafficmanager.net@attacker.invalid/amer/',
  'https://user:secret@smba.trafficmanager.net/amer/',
  'https://SMBA.trafficmanager.net/amer/',
  'https://smba.trafficmanager.net./amer/',
  'https://smba.tr\u0430fficmanager.net/amer/',
  'https://xn--smba.trfficmanager-5xk.net/amer/',
  'https://smba%2etrafficmanager.net/amer/',
  'https://smba.trafficmanager.net\\@attacker.invalid/',
  ' https://smba.trafficmanager.net/amer/',
  'https://smba.trafficmanager.net/amer/\n',
  'https://smba.trafficmanager.net/amer/\u202e',
  `https://smba.trafficmanager.net/amer/${'a'.repeat(3000)}`,
  'https://smba.trafficmanager.net/amer/#@attacker.invalid',
  'https://directline.botframework.com/',
  'https://webchat.botframework.com/',
  'https://webhook.office.com/',
  'ftp://smba.trafficmanager.net/amer/',
  'javascript:alert(1)',
  'data:text/plain,smba.trafficmanager.net',
  'http://127.0.0.1:4000/',
  'http://localhost:3978/',
  '',
  undefined,
  null,
  42,
  { href: 'https://smba.trafficmanager.net/amer/' },
];

const LOOPBACK_ALLOWED = ['http://127.0.0.1:3978/', 'http://127.0.0.1:3978', 'https://127.0.0.1/', 'http://127.5.6.7:8080/', 'http://localhost:56150/_connector', 'http://[::1]:4000/'];

const LOOPBACK_REFUSED: unknown[] = [
  'http://0.0.0.0:3978/',
  'http://[::]:3978/',
  'http://[::ffff:127.0.0.1]:3978/',
  'http://2130706433:3978/',
  'http://0x7f.1:3978/',
  'http://10.0.0.1:3978/',
  'http://192.168.1.10:3978/',
  'http://169.254.169.254/latest/meta-data/',
  'http://127.0.0.1.attacker.invalid/',
  'http://localhost.attacker.invalid/',
  'http://localhost./',
  'http://attacker.invalid/127.0.0.1',
  'http://127.0.0.1@attacker.invalid/',
  'http://attacker.invalid#@127.0.0.1/',
  'http://user:pw@127.0.0.1:3978/',
  'http://127.0.0.1:80/',
  'file:///etc/passwd',
  'ws://127.0.0.1:3978/',
  'https://smba.trafficmanager.net/amer/',
  undefined,
];

describe('the service URL policy', () => {
  test.each(TEAMS_ALLOWED)('with an app registration, %s is allowed', (url) => {
    expect(teams.allows(url)).toBe(true);
    expect(() => teams.check(url)).not.toThrow();
  });

  test.each(TEAMS_REFUSED.map((u) => [JSON.stringify(u)?.slice(0, 80) ?? String(u), u]))('with an app registration, %s is refused', (_name, url) => {
    expect(teams.allows(url)).toBe(false);
    expect(() => teams.check(url)).toThrow(ServiceUrlRefused);
  });

  test.each(LOOPBACK_ALLOWED)('anonymous, %s is allowed', (url) => {
    expect(loopback.allows(url)).toBe(true);
  });

  test.each(LOOPBACK_REFUSED.map((u) => [String(u), u]))('anonymous, %s is refused', (_name, url) => {
    expect(loopback.allows(url)).toBe(false);
  });

  test('anonymous never allows a Teams host', () => {
    for (const url of TEAMS_ALLOWED) expect(loopback.allows(url)).toBe(false);
  });

  test('the documented Teams hosts are the only hosts allowed', () => {
    expect(TEAMS_SERVICE_HOSTS).toEqual(['smba.trafficmanager.net', 'smba.infra.gcc.teams.microsoft.com', 'smba.infra.gov.teams.microsoft.us', 'smba.infra.dod.teams.microsoft.us']);
  });

  test('the offline test origin adds exactly that origin, and only a loopback one can be added', () => {
    expect(teamsWithFake.allows('http://127.0.0.1:4000/')).toBe(true);
    expect(teamsWithFake.allows('http://127.0.0.1:4000/v3/conversations')).toBe(true);
    expect(teamsWithFake.allows('http://127.0.0.1:4001/')).toBe(false);
    expect(teamsWithFake.allows('http://localhost:4000/')).toBe(false);
    expect(teamsWithFake.allows('https://127.0.0.1:4000/')).toBe(false);
    expect(teamsWithFake.allows('https://smba.trafficmanager.net/amer/')).toBe(true);
    expect(() => new ServiceUrlPolicy({ allow: 'teams', alsoAllowOrigin: 'https://attacker.invalid' })).toThrow(/loopback/);
    expect(() => new ServiceUrlPolicy({ allow: 'teams', alsoAllowOrigin: 'http://0.0.0.0:4000' })).toThrow(/loopback/);
  });

  test('the adapter takes the policy from the identity', () => {
    expect(serviceUrlPolicyFor({ mode: 'anonymous' }).allows('http://127.0.0.1:3978/')).toBe(true);
    expect(serviceUrlPolicyFor({ mode: 'anonymous' }).allows('https://smba.trafficmanager.net/amer/')).toBe(false);
    const app = { mode: 'app', appId: 'x', appType: 'MultiTenant', password: 'p' } as const;
    expect(serviceUrlPolicyFor(app).allows('https://smba.trafficmanager.net/amer/')).toBe(true);
    expect(serviceUrlPolicyFor(app).allows('http://127.0.0.1:3978/')).toBe(false);
    expect(serviceUrlPolicyFor({ ...app, testEndpoints: { connectorUrl: 'http://127.0.0.1:3978/' } }).allows('http://127.0.0.1:3978/')).toBe(true);
  });
});

describe('the offline test endpoints in the configuration', () => {
  const APP = { MicrosoftAppId: '5b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d', MicrosoftAppPassword: 'secret', HUNT_ALLOWED_TENANTS: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' };

  test('loopback URLs with an app id are taken as given', () => {
    const config = loadConfig({ ...APP, HUNT_TEST_OPENID_METADATA_URL: 'http://127.0.0.1:4100/v1/.well-known/openidconfiguration', HUNT_TEST_CONNECTOR_URL: 'http://127.0.0.1:4200/' });
    expect(config.bot).toMatchObject({ mode: 'app', testEndpoints: { openIdMetadataUrl: 'http://127.0.0.1:4100/v1/.well-known/openidconfiguration', connectorUrl: 'http://127.0.0.1:4200/' } });
  });

  test('without them there are none', () => {
    expect(loadConfig(APP).bot).not.toHaveProperty('testEndpoints');
  });

  test.each([
    ['HUNT_TEST_OPENID_METADATA_URL', 'https://login.attacker.invalid/v1/.well-known/openidconfiguration'],
    ['HUNT_TEST_CONNECTOR_URL', 'https://smba.trafficmanager.net/amer/'],
    ['HUNT_TEST_CONNECTOR_URL', 'http://0.0.0.0:4200/'],
    ['HUNT_TEST_CONNECTOR_URL', 'not a url'],
  ])('%s=%s is refused: loopback only', (name, value) => {
    expect(() => loadConfig({ ...APP, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...APP, [name]: value })).toThrow(new RegExp(`${name} is for offline tests only`));
  });

  test('they need an app id (anonymous mode validates no token)', () => {
    expect(() => loadConfig({ HUNT_TEST_CONNECTOR_URL: 'http://127.0.0.1:4200/' })).toThrow(/HUNT_TEST_CONNECTOR_URL is set but MicrosoftAppId is not/);
  });
});
