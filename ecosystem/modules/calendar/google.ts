import { ToolError } from '../../core/tool.ts';

/** OAuth client credentials plus the refresh token of the owner's Google account. */
export interface GoogleCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const API = 'https://www.googleapis.com/calendar/v3';

/** Minimal Google Calendar v3 client; access tokens are refreshed lazily and cached until expiry. */
export class GoogleCalendar {
  private access: { token: string; expiresAt: number } | null = null;

  constructor(private readonly creds: GoogleCredentials, private readonly calendarId: string) {}

  async listEvents(from: string, to: string, signal?: AbortSignal): Promise<unknown[]> {
    const q = new URLSearchParams({ timeMin: from, timeMax: to, singleEvents: 'true', orderBy: 'startTime' });
    const body = (await this.call('GET', `/calendars/${encodeURIComponent(this.calendarId)}/events?${q}`, undefined, signal)) as {
      items?: Array<Record<string, unknown>>;
    };
    return (body.items ?? []).map((e) => ({ id: e.id, title: e.summary, start: e.start, end: e.end, link: e.htmlLink }));
  }

  async createEvent(title: string, start: string, end: string, signal?: AbortSignal): Promise<unknown> {
    const e = (await this.call(
      'POST',
      `/calendars/${encodeURIComponent(this.calendarId)}/events`,
      { summary: title, start: { dateTime: start }, end: { dateTime: end } },
      signal,
    )) as Record<string, unknown>;
    return { id: e.id, title: e.summary, start: e.start, end: e.end, link: e.htmlLink };
  }

  private async call(method: string, path: string, json: unknown, signal?: AbortSignal): Promise<unknown> {
    const token = await this.token(signal);
    const res = await request(`${API}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined,
      signal,
    });
    const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
    if (!res.ok) throw new ToolError('calendar_error', `Google Calendar ${method} failed (HTTP ${res.status}): ${body.error?.message ?? 'no message'}`);
    return body;
  }

  private async token(signal?: AbortSignal): Promise<string> {
    if (this.access && this.access.expiresAt > Date.now() + 30_000) return this.access.token;
    const res = await request(TOKEN_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: this.creds.clientId,
        client_secret: this.creds.clientSecret,
        refresh_token: this.creds.refreshToken,
        grant_type: 'refresh_token',
      }).toString(),
      signal,
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string };
    if (!res.ok || !body.access_token) {
      throw new ToolError('calendar_auth_failed', `Google OAuth token refresh failed (HTTP ${res.status}): ${body.error ?? 'no error code'}`);
    }
    this.access = { token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return this.access.token;
  }
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    throw new ToolError('calendar_unreachable', `Google API unreachable: ${(err as Error).message}`);
  }
}
