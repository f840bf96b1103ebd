/**
 * The instance rules of a sanctioned tool: which remote hosts of a device's agent make it an
 * "unsanctioned instance", and the canonical form hosts are compared in.
 */
import { classifyRemoteHosts, isNonPublicIpv4, isUnder, normalizeHost } from '../../src/watch/sanction-instances';

describe('normalizeHost', () => {
  it.each([
    ['vsa.contoso.com', 'vsa.contoso.com'],
    ['  VSA.Contoso.COM.  ', 'vsa.contoso.com'],
    ['https://Contoso.ScreenConnect.com/Host#Access', 'contoso.screenconnect.com'],
    ['relay.contoso.screenconnect.com:8041', 'relay.contoso.screenconnect.com'],
    ['wss://agent.kaseya.net/ws?x=1', 'agent.kaseya.net'],
    ['krämer-it.example', 'xn--krmer-it-1za.example'],
    ['203.0.113.9', '203.0.113.9'],
    ['http://203.0.113.9:443/', '203.0.113.9'],
  ])('%s → %s', (text, host) => {
    expect(normalizeHost(text)).toBe(host);
  });

  it.each(['', '   ', '[2001:db8::1]', 'http://[::1]/', 'not a host', 'a_b.example', `${'a'.repeat(64)}.example`, 'x'.repeat(3000), 'javascript:alert(1)', '-lead.example'])(
    'refuses %j',
    (text) => {
      expect(normalizeHost(text)).toBeUndefined();
    },
  );
});

describe('isUnder and isNonPublicIpv4', () => {
  it('matches a domain and the names under it, never a look-alike', () => {
    expect(isUnder('vsa.contoso.com', 'vsa.contoso.com')).toBe(true);
    expect(isUnder('relay.vsa.contoso.com', 'vsa.contoso.com')).toBe(true);
    expect(isUnder('evilvsa.contoso.com', 'vsa.contoso.com')).toBe(false);
    expect(isUnder('vsa.contoso.com.evil.net', 'vsa.contoso.com')).toBe(false);
    expect(isUnder('contoso.com', 'vsa.contoso.com')).toBe(false);
    expect(isUnder('10.1.2.3', '10.1.2.3')).toBe(true);
    expect(isUnder('110.1.2.3', '10.1.2.3')).toBe(false);
  });

  it('knows the addresses that say nothing about whose server it is', () => {
    for (const ip of ['10.0.0.1', '127.0.0.1', '169.254.1.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '0.0.0.0']) expect(isNonPublicIpv4(ip)).toBe(true);
    for (const ip of ['172.32.0.1', '8.8.8.8', '203.0.113.9', '100.128.0.1', 'vsa.contoso.com']) expect(isNonPublicIpv4(ip)).toBe(false);
  });
});

describe('classifyRemoteHosts', () => {
  const rules = { instances: ['vsa.contoso.com', 'contoso.screenconnect.com', '198.51.100.7'] };

  it('is sanctioned when the agent talks only to the organisation’s instances (or shows no evidence)', () => {
    expect(classifyRemoteHosts([], rules)).toEqual({ status: 'sanctioned' });
    expect(classifyRemoteHosts(['vsa.contoso.com', 'https://relay.contoso.screenconnect.com:443/', '198.51.100.7', '10.0.0.5', 'garbage host'], rules)).toEqual({
      status: 'sanctioned',
    });
  });

  it('flags every other instance, canonical, sorted and once', () => {
    expect(
      classifyRemoteHosts(['vsa.contoso.com', 'EVIL.screenconnect.com', 'evil.screenconnect.com:8041', '203.0.113.9', 'contoso.screenconnect.com.evil.net'], rules),
    ).toEqual({ status: 'unsanctioned-instance', instances: ['203.0.113.9', 'contoso.screenconnect.com.evil.net', 'evil.screenconnect.com'] });
  });

  it('leaves out the vendor’s own infrastructure when it is known', () => {
    expect(classifyRemoteHosts(['update.kaseya.com', 'vsa.contoso.com'], { ...rules, infrastructure: ['kaseya.com'] })).toEqual({ status: 'sanctioned' });
    expect(classifyRemoteHosts(['update.kaseya.com'], rules)).toEqual({ status: 'unsanctioned-instance', instances: ['update.kaseya.com'] });
  });

  it('bounds what an adversary can make it carry', () => {
    const hosts = Array.from({ length: 5000 }, (_, i) => `tenant-${String(i).padStart(4, '0')}.screenconnect.com`);
    const status = classifyRemoteHosts(hosts, rules);
    expect(status.status).toBe('unsanctioned-instance');
    expect(status.status === 'unsanctioned-instance' && status.instances).toHaveLength(50);
  });
});
