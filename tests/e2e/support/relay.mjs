// A relay in front of the stack's moto that notes each AWS operation the app makes and when: the
// JSON protocols name it in X-Amz-Target, the query protocol in Action=. Requests and answers
// pass unchanged (moto does not check signatures, and the relay changes none anyway).
import http from 'node:http';
import { requireEnv } from './app.mjs';

export async function countingRelay() {
  const upstream = new URL(requireEnv('BERTH_TEST_MOTO_URL'));
  let calls = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = req.headers['x-amz-target'];
      const action = /(?:^|&)Action=([^&]+)/.exec(body.toString('latin1'))?.[1];
      calls.push({ at: Date.now(), op: target ? target.split('.').pop() : (action ?? `${req.method} ${req.url}`) });
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    reset: () => (calls = []),
    calls: () => calls.slice(),
    stop: () => new Promise((r) => server.close(r)),
  };
}

/** The calls grouped into refreshes (bursts parted by more than `gap` ms of quiet). */
export function refreshes(calls, gap = 1500) {
  const bursts = [];
  for (const call of calls) {
    const last = bursts.at(-1);
    if (last && call.at - last.end <= gap) {
      last.end = call.at;
      last.ops[call.op] = (last.ops[call.op] ?? 0) + 1;
      last.calls++;
    } else {
      bursts.push({ start: call.at, end: call.at, calls: 1, ops: { [call.op]: 1 } });
    }
  }
  return bursts;
}
