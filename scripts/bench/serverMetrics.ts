/**
 * Reads the server's GET /metrics (Prometheus text format) for a benchmark: each mediasoup
 * worker's consumers and CPU time, as the server itself counts them.
 */

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface WorkerMetrics {
  worker: string;
  pid: number;
  up: boolean;
  consumers: number;
  cpuSeconds: number;
}

/** `name{label="value",…} 1.5` lines; comments (# HELP, # TYPE) and blank lines are skipped. */
const SAMPLE_LINE = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL_PAIR = /([A-Za-z_]\w*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE_LINE.exec(line.trim());
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL_PAIR)) labels[name!] = unescapeLabel(value!);
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
}

/** The value of one series, or undefined when the server does not export it. */
export function metricValue(samples: MetricSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;
}

/** One entry per mediasoup worker, in the order of their ids. */
export function workerMetrics(samples: MetricSample[]): WorkerMetrics[] {
  return samples
    .filter((sample) => sample.name === 'estrad_mediasoup_worker_up')
    .map(({ labels }) => ({
      worker: labels.worker ?? '?',
      pid: Number(labels.pid),
      up: metricValue(samples, 'estrad_mediasoup_worker_up', labels) === 1,
      consumers: metricValue(samples, 'estrad_mediasoup_worker_consumers', labels) ?? 0,
      cpuSeconds: metricValue(samples, 'estrad_mediasoup_worker_cpu_seconds_total', labels) ?? 0,
    }))
    .sort((a, b) => Number(a.worker) - Number(b.worker));
}

/** Fetches and parses /metrics; a refusal says which credential is missing. */
export async function readServerMetrics(url: string, token: string | undefined): Promise<MetricSample[]> {
  const response = await fetch(new URL('/metrics', url), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  if (!response.ok) {
    const hint = token
      ? "check --metrics-token against the server's METRICS_TOKEN"
      : "pass --metrics-token with the server's METRICS_TOKEN, or run the bench on the server's machine";
    throw new Error(`GET /metrics answered ${response.status} (${hint}): ${text.slice(0, 300)}`);
  }
  return parsePrometheusText(text);
}
