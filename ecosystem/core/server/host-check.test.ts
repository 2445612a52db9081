import { expect, test } from '@playwright/test';
import { rebindingRefusal } from './host-check.ts';

const req = (headers: Record<string, string | undefined>) => ({ headers });

test('loopback Host names pass with any port, with or without a loopback Origin', () => {
  for (const host of ['127.0.0.1:8103', '127.0.0.1:8203', 'localhost:8103', 'LOCALHOST', '[::1]:8103', '127.0.0.1']) {
    expect(rebindingRefusal(req({ host })), host).toBeNull();
  }
  expect(rebindingRefusal(req({ host: '127.0.0.1:8103', origin: 'http://localhost:3000' }))).toBeNull();
});

test('a rebinding name in Host or Origin is refused, naming the header', () => {
  expect(rebindingRefusal(req({ host: 'evil.example.com' }))).toMatch(/^Host header "evil\.example\.com"/);
  expect(rebindingRefusal(req({ host: '127.0.0.1.evil.example.com:8103' }))).toMatch(/^Host header/);
  expect(rebindingRefusal(req({ host: undefined }))).toMatch(/^Host header null/);
  expect(rebindingRefusal(req({ host: '127.0.0.1:8103', origin: 'http://evil.example.com' }))).toMatch(/^Origin "http:\/\/evil\.example\.com"/);
  expect(rebindingRefusal(req({ host: '127.0.0.1:8103', origin: 'null' }))).toMatch(/^Origin "null"/);
});

test('the address the server is bound to is allowed too', () => {
  expect(rebindingRefusal(req({ host: '10.0.0.5:8103' }), '10.0.0.5')).toBeNull();
  expect(rebindingRefusal(req({ host: '10.0.0.6:8103' }), '10.0.0.5')).toMatch(/^Host header/);
});
