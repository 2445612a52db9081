/**
 * Maps the per-session token (`x-butlers-session-token`) to its session id.
 * The spawner registers a token before it starts a session process and
 * revokes it when the session ends; any other token is answered with 401.
 */
export class SessionTokenRegistry {
  private readonly tokens = new Map<string, string>();

  registerSessionToken(token: string, sessionId: string): void {
    if (token.length < 16) throw new Error('session tokens must be unguessable: use at least 16 random characters');
    this.tokens.set(token, sessionId);
  }

  revokeSessionToken(token: string): boolean {
    return this.tokens.delete(token);
  }

  /** The session id for a token, or undefined when unknown or revoked. */
  resolve(token: string): string | undefined {
    return this.tokens.get(token);
  }

  get size(): number {
    return this.tokens.size;
  }
}
