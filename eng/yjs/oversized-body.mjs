// Posts an over-limit JSON body with Node's fetch several times and prints one line per try:
// {"status":413,"code":"PAYLOAD_TOO_LARGE"} when the answer arrived, {"error":"..."} when the
// connection failed instead (what a web client would take for "offline").
// Usage: node oversized-body.mjs <url> <bytes> <tries> [bearer-token]
const [url, bytesText, triesText, token] = process.argv.slice(2);
const bytes = Number(bytesText);
const tries = Number(triesText);
const body = Buffer.alloc(bytes, 0x20);
body[0] = 0x7b; // '{': a JSON object that never closes, padded with spaces
const headers = { 'content-type': 'application/json' };
if (token) headers.authorization = `Bearer ${token}`;
for (let i = 0; i < tries; i++) {
  try {
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    let code = null;
    try { code = JSON.parse(text).error.code; } catch { code = null; }
    console.log(JSON.stringify({ status: response.status, code }));
  } catch (e) {
    console.log(JSON.stringify({ error: String(e.cause?.code ?? e.cause ?? e.message) }));
  }
}
