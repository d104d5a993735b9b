// What every fake HTTP server here shares: writing a JSON answer, reading a body, closing.

/** A JSON answer (nothing when the connection is already answered or gone, e.g. a dropped fault). */
export function sendJson(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** The whole request body as text. */
export async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** Stops the server, closing kept-alive connections instead of waiting for them. */
export function closeServer(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
