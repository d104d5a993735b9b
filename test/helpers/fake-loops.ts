import { controlClient } from './fake-control';

/** The control API of test/fakes/loops-server.mjs (what was sent, forced faults). */
const control = controlClient('Loops', 'loopsApiUrl');

export interface LoopsSend {
  transactionalId: string;
  email: string;
  dataVariables: Record<string, string | number>;
  idempotencyKey: string | null;
  at: string;
}

export const fakeLoops = {
  reset: () => control('POST', 'reset'),
  fault: (f: { kind: 'rate_limit' | 'server_error' | 'bad_request' | 'not_found' | 'unauthorized'; times?: number; retryAfter?: number; email?: string }) => control('POST', 'faults', f),
  sent: () => control('GET', 'sent') as Promise<LoopsSend[]>,
  sentTo: async (email: string) => ((await control('GET', 'sent')) as LoopsSend[]).filter((s) => s.email === email),
  requests: () => control('GET', 'requests') as Promise<{ status: number; idempotencyKey: string | null; body: any }[]>,
};
