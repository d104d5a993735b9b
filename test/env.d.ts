// Vite's `?raw` imports (used to read wrangler.jsonc in a test).
declare module '*?raw' {
  const text: string;
  export default text;
}
