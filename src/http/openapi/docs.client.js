// The /docs page's only script: Scalar's API reference over the two documents this Worker serves.
/* global Scalar */
Scalar.createApiReference('#app', {
  sources: [
    { title: 'Influtics API', slug: 'api', url: '/openapi.json' },
    { title: 'Ops API', slug: 'ops', url: '/ops/openapi.json' },
  ],
  // nothing from a CDN: system fonts, no telemetry, no hosted client
  withDefaultFonts: false,
  telemetry: false,
  hideClientButton: true,
  persistAuth: false,
});

// The Worker imports this file as a text module (a wrangler rule); this export only makes the file a
// module for TypeScript (the page loads it with type="module").
export default 'docs.client.js';
