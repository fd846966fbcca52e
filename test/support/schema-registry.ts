import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import avro from 'avsc';

// A minimal Confluent-compatible schema registry for tests: in process, on a free port, holding only what
// @kafkajs/confluent-schema-registry and a user's own producer call. Ids are global per schema (the same schema
// under two subjects has one id) and compatibility is checked the way Confluent's BACKWARD does: the new schema
// must read data written with the latest one.

interface Version {
  id: number;
  version: number;
}

export interface TestSchemaRegistry {
  url: string;
  /** Registered versions per subject, in order. */
  subjects(): Map<string, number[]>;
  /** Raw schema text of an id. */
  schema(id: number): string | undefined;
  close(): Promise<void>;
}

const contentType = 'application/vnd.schemaregistry.v1+json';

export async function startTestSchemaRegistry(): Promise<TestSchemaRegistry> {
  const schemas: Array<{ text: string; type: avro.Type; fingerprint: string }> = [];
  const subjects = new Map<string, Version[]>();
  const compatibility = new Map<string, string>();

  const idOf = (text: string): number => {
    const type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
    const fingerprint = type.fingerprint().toString('hex');
    const found = schemas.findIndex((s) => s.fingerprint === fingerprint);
    if (found >= 0) return found + 1;
    schemas.push({ text, type, fingerprint });
    return schemas.length;
  };
  const versionBody = (subject: string, v: Version) => ({
    subject,
    id: v.id,
    version: v.version,
    schema: schemas[v.id - 1]!.text,
  });

  const handle = async (req: IncomingMessage): Promise<[number, unknown]> => {
    const url = new URL(req.url ?? '/', 'http://registry');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const body =
      req.method === 'GET'
        ? {}
        : (JSON.parse((await readBody(req)) || '{}') as {
            schema?: string;
            schemaType?: string;
            compatibility?: string;
          });
    const [root, subject, sub, version] = parts;

    if (req.method === 'GET' && root === 'schemas' && subject === 'ids' && sub) {
      const s = schemas[Number(sub) - 1];
      return s ? [200, { schema: s.text }] : [404, { error_code: 40403, message: `Schema ${sub} not found` }];
    }
    if (root === 'config' && subject) {
      if (req.method === 'PUT') {
        compatibility.set(subject, String(body.compatibility).toUpperCase());
        return [200, { compatibility: compatibility.get(subject) }];
      }
      const level = compatibility.get(subject);
      return level
        ? [200, { compatibilityLevel: level }]
        : [
            404,
            { error_code: 40408, message: `Subject '${subject}' does not have subject-level compatibility configured` },
          ];
    }
    if (req.method === 'GET' && root === 'subjects' && !subject) return [200, [...subjects.keys()]];
    if (root !== 'subjects' || !subject) return [404, { error_code: 404, message: 'Not found' }];
    if (body.schemaType && body.schemaType !== 'AVRO')
      return [422, { error_code: 42201, message: 'only AVRO is supported here' }];

    const versions = subjects.get(subject) ?? [];
    if (req.method === 'POST' && sub === 'versions') {
      let type: avro.Type;
      try {
        type = avro.Type.forSchema(JSON.parse(body.schema ?? '') as avro.Schema);
      } catch (err) {
        return [422, { error_code: 42201, message: `Invalid schema: ${String(err)}` }];
      }
      const id = idOf(body.schema!);
      const existing = versions.find((v) => v.id === id);
      if (existing) return [200, { id }];
      const latest = versions[versions.length - 1];
      const level = compatibility.get(subject) ?? 'BACKWARD';
      if (latest && level.startsWith('BACKWARD')) {
        try {
          type.createResolver(schemas[latest.id - 1]!.type);
        } catch (err) {
          return [
            409,
            {
              error_code: 409,
              message: `Schema being registered is incompatible with an earlier schema for subject "${subject}": ${String(err)}`,
            },
          ];
        }
      }
      subjects.set(subject, [...versions, { id, version: versions.length + 1 }]);
      return [200, { id }];
    }
    if (req.method === 'POST' && !sub) {
      const fingerprint = avro.Type.forSchema(JSON.parse(body.schema ?? '') as avro.Schema)
        .fingerprint()
        .toString('hex');
      const v = versions.find((x) => schemas[x.id - 1]!.fingerprint === fingerprint);
      return v ? [200, versionBody(subject, v)] : [404, { error_code: 40403, message: 'Schema not found' }];
    }
    if (req.method === 'GET' && sub === 'versions' && version) {
      const v =
        version === 'latest' ? versions[versions.length - 1] : versions.find((x) => x.version === Number(version));
      return v
        ? [200, versionBody(subject, v)]
        : [404, { error_code: 40401, message: `Subject '${subject}' not found.` }];
    }
    if (req.method === 'GET' && sub === 'versions') return [200, versions.map((v) => v.version)];
    return [404, { error_code: 404, message: 'Not found' }];
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handle(req).then(
      ([status, body]) => {
        res.writeHead(status, { 'content-type': contentType });
        res.end(JSON.stringify(body));
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': contentType });
        res.end(JSON.stringify({ error_code: 50001, message: String(err) }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    subjects: () => new Map([...subjects].map(([s, vs]) => [s, vs.map((v) => v.id)])),
    schema: (id) => schemas[id - 1]?.text,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
