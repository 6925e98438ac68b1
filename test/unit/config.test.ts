import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config/env.js';

describe('configuration from the environment', () => {
  it('has working defaults for every variable', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.demo.enabled).toBe(true);
    expect(config.mediasoup.workers).toBeGreaterThanOrEqual(1);
    expect(config.rtc.announcedIp).toBe('127.0.0.1');
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('reads values and treats empty ones as unset', () => {
    const config = loadConfig({ PORT: '3300', DEMO: '0', MEDIASOUP_WORKERS: '3', HOST: '', RTC_LISTEN_IP: '127.0.0.1' });
    expect(config).toMatchObject({ port: 3300, host: '0.0.0.0', demo: { enabled: false }, mediasoup: { workers: 3 } });
    expect(config.rtc.announcedIp).toBeUndefined();
  });

  it('names every bad variable with what it got', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', RTC_LISTEN_IP: 'localhost', DEMO: 'maybe', RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const { problems, message } = error as ConfigError;
      expect(problems.some((problem) => problem.startsWith('PORT') && problem.includes('"eighty"'))).toBe(true);
      expect(problems.some((problem) => problem.startsWith('RTC_LISTEN_IP') && problem.includes('"localhost"'))).toBe(true);
      expect(problems.some((problem) => problem.startsWith('DEMO'))).toBe(true);
      expect(message).toContain('.env.example');
    }
  });

  it('reads EMBED_ORIGINS as a list of origins, none when unset, and refuses what is not an http(s) URL', () => {
    expect(loadConfig({}).http.embedOrigins).toEqual([]);
    expect(loadConfig({ EMBED_ORIGINS: 'https://www.kommun.se/, http://intranet.kommun.se:8080' }).http.embedOrigins).toEqual([
      'https://www.kommun.se',
      'http://intranet.kommun.se:8080',
    ]);
    expect(() => loadConfig({ EMBED_ORIGINS: 'www.kommun.se' })).toThrow(/EMBED_ORIGINS/);
    expect(() => loadConfig({ EMBED_ORIGINS: 'javascript:alert(1)' })).toThrow(/EMBED_ORIGINS/);
  });

  it('refuses a port range that is upside down', () => {
    expect(() => loadConfig({ RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' })).toThrow(/RTC_MIN_PORT must not be greater/);
  });

  it('gives worker n the WebRTC ports RTC_PORT + n (TCP on RTC_TCP_PORT + n when set), outside the loopback range', () => {
    expect(loadConfig({}).rtc).toMatchObject({ udpPort: 40000, tcpPort: 40000, minPort: 41000, maxPort: 41999 });
    expect(loadConfig({ RTC_PORT: '50000', RTC_TCP_PORT: '443' }).rtc).toMatchObject({ udpPort: 50000, tcpPort: 443 });
    expect(() => loadConfig({ RTC_PORT: '41500' })).toThrow(/RTC_PORT: the ports RTC_PORT .* must lie outside RTC_MIN_PORT–RTC_MAX_PORT/);
    expect(() => loadConfig({ MEDIASOUP_WORKERS: '4', RTC_TCP_PORT: '40998', RTC_MIN_PORT: '41000' })).toThrow(/must lie outside/);
    expect(() => loadConfig({ MEDIASOUP_WORKERS: '4', RTC_PORT: '65534' })).toThrow(/at most 65535/);
  });

  it('takes an optional METRICS_TOKEN and refuses one that is short or has spaces', () => {
    expect(loadConfig({}).metrics.token).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'a1b2c3d4e5f6a7b8c9d0' }).metrics.token).toBe('a1b2c3d4e5f6a7b8c9d0');
    expect(() => loadConfig({ METRICS_TOKEN: 'secret' })).toThrow(/METRICS_TOKEN: use at least 16 characters/);
    expect(() => loadConfig({ METRICS_TOKEN: 'sixteen chars or more' })).toThrow(/METRICS_TOKEN: use printable ASCII without spaces/);
  });

  it('reads TRUST_PROXY as no proxy, a number of proxy hops or a list of proxy addresses, and refuses "true"', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,loopback' }).http.trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', 'loopback']);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: no longer trusts every hop.*\(got "true"\)/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY: .*"10\.0\.0\.0\/33" is neither/);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.example' })).toThrow(/TRUST_PROXY/);
  });

  it('reads ingest port ranges, and refuses a range that is no range', () => {
    expect(loadConfig({}).ingest).toEqual({ srtPorts: { first: 9000, last: 9009 }, rtmpPorts: { first: 1935, last: 1935 }, maxBitrateKbps: 6000 });
    expect(loadConfig({ INGEST_SRT_PORTS: '7000-7003', INGEST_RTMP_PORTS: '1936' }).ingest).toMatchObject({
      srtPorts: { first: 7000, last: 7003 },
      rtmpPorts: { first: 1936, last: 1936 },
    });
    for (const [name, value] of [
      ['INGEST_SRT_PORTS', '9009-9000'],
      ['INGEST_SRT_PORTS', '9000,9001'],
      ['INGEST_RTMP_PORTS', '70000'],
    ]) {
      expect(() => loadConfig({ [name!]: value }), `${name}=${value}`).toThrow(new RegExp(`${name}: .*\\(got "${value}"\\)`));
    }
  });
});
