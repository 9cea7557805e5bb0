/**
 * Where a reconnect link in an alert points (issue 29, item 8): settings.js's editorUrl when set;
 * else the address the editor was opened at for the chain's last Connect; else Node-RED's own host
 * and port, where a wildcard bind address can only be written as localhost (no use off the machine).
 */
import { editorBaseOf, expectedRedirectUri } from '../../../node-red/lib/editor-guard';
import type { RED } from '../../../node-red/lib/red';
import { editorUrl } from '../../../node-red/lib/settings';

const red = (settings: Record<string, unknown>) => ({ settings }) as unknown as RED;

describe('the editor address of reconnect links', () => {
  test("a documented setting wins; then the address of the last Connect; then Node-RED's own host", () => {
    const learned = 'http://192.168.1.20:1880';
    expect(editorUrl(red({ uiHost: '0.0.0.0', uiPort: 1880, xeroGuard: { editorUrl: 'https://nr.example.com/admin/' } }), learned)).toBe(
      'https://nr.example.com/admin',
    );
    expect(editorUrl(red({ uiHost: '0.0.0.0', uiPort: 1880 }), learned)).toBe(learned);
    expect(editorUrl(red({ uiHost: '0.0.0.0', uiPort: 1880 }), null)).toBe('http://localhost:1880');
    expect(editorUrl(red({ uiHost: 'nr.lan', uiPort: 1880, https: {}, httpAdminRoot: '/admin/' }))).toBe('https://nr.lan:1880/admin');
  });

  test('the address of a Connect is its callback without the callback path, admin root kept', () => {
    const editor = red({ httpAdminRoot: '/admin' });
    const callback = expectedRedirectUri(editor, 'http://192.168.1.20:1880');
    expect(callback).toBe('http://192.168.1.20:1880/admin/xero-guard/connect/callback');
    expect(editorBaseOf(callback)).toBe('http://192.168.1.20:1880/admin');
    expect(editorBaseOf(expectedRedirectUri(red({}), 'http://10.0.0.5:1880'))).toBe('http://10.0.0.5:1880');
  });
});
