// The local sign-in's session: the token `POST /api/v1/dev/session` gave, kept for this browser
// session only (sessionStorage: closing the browser signs out; other sites never see it).
import { writeSignedInHint } from './session-hint';

const KEY = 'postaify.session';

export interface LocalSession {
  token: string;
  expiresAt: string;
}

export function readSession(): LocalSession | null {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as LocalSession;
    // A token about to expire is as good as gone: the API would refuse it mid-task.
    if (!session.token || Date.parse(session.expiresAt) - Date.now() < 60_000) return null;
    return session;
  } catch {
    return null;
  }
}

export function writeSession(session: LocalSession | null) {
  if (session) window.sessionStorage.setItem(KEY, JSON.stringify(session));
  else window.sessionStorage.removeItem(KEY);
  writeSignedInHint(session !== null);
}
