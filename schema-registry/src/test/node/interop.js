// Interop checks of Confluent's Node.js registry clients against a swarmsched schema registry.
//   node interop.js clients <registryUrl> <subjectPrefix>   register / look up / compatibility / config
//   node interop.js encode  <registryUrl> <topic>           Node writes -> prints {"confluent": hex, "kafkajs": hex}
//   node interop.js decode  <registryUrl> <topic> <hex>     Node reads  -> prints {"confluent": obj, "kafkajs": obj}
// The last stdout line is a JSON result; any failed check exits non-zero with the reason on stderr.
'use strict';
const assert = require('node:assert/strict');
const {
  SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType,
} = require('@confluentinc/schemaregistry');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

// The schema the Java side uses too (NodeInteropTest.SCHEMA): keep them identical.
const SCHEMA = {
  type: 'record', name: 'InteropHost', namespace: 'io.swarmsched.interop',
  fields: [
    { name: 'host_id', type: 'string' },
    { name: 'seq', type: 'long' },
    { name: 'load', type: 'double' },
    { name: 'up', type: 'boolean' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'kind', type: { type: 'enum', name: 'InteropKind', symbols: ['NORMAL', 'SEED'] } },
  ],
};
const V2_COMPATIBLE = { ...SCHEMA, fields: [...SCHEMA.fields, { name: 'idc', type: 'string', default: '' }] };
const V2_INCOMPATIBLE = { ...SCHEMA, fields: [...SCHEMA.fields, { name: 'idc', type: 'string' }] };
const NODE_VALUE = {
  host_id: 'node-host-7', seq: 42, load: 0.75, up: true, tags: ['gpu', 'idc-a'], note: 'from node', kind: 'SEED',
};

const confluentClient = (url) => new SchemaRegistryClient({ baseURLs: [url], cacheCapacity: 100 });
const kafkajsRegistry = (url) => new SchemaRegistry({ host: url, retry: { retries: 0 } });
const avro = (schema) => ({ schemaType: 'AVRO', schema: JSON.stringify(schema) });

async function clients(url, prefix) {
  const results = {};
  // --- @confluentinc/schemaregistry ---
  const c = confluentClient(url);
  const subject = `${prefix}-confluent-value`;
  const id = await c.register(subject, avro(SCHEMA));
  assert.equal(await c.register(subject, avro(SCHEMA)), id, 'registering twice answers the same id');
  assert.equal(await c.getId(subject, avro(SCHEMA)), id, 'lookup answers the registered id');
  const latest = await c.getLatestSchemaMetadata(subject);
  assert.equal(latest.id, id);
  assert.equal(latest.version, 1);
  assert.equal(JSON.parse(latest.schema).name, 'InteropHost');
  const byId = await c.getBySubjectAndId(subject, id);
  assert.equal(JSON.parse(byId.schema).name, 'InteropHost');
  assert.deepEqual(await c.getAllVersions(subject), [1]);
  assert.ok((await c.getAllSubjects()).includes(subject));
  assert.equal(await c.testSubjectCompatibility(subject, avro(V2_COMPATIBLE)), true);
  assert.equal(await c.testSubjectCompatibility(subject, avro(V2_INCOMPATIBLE)), false);
  assert.equal(await c.testCompatibility(subject, 1, avro(V2_INCOMPATIBLE)), false);
  await assert.rejects(c.register(subject, avro(V2_INCOMPATIBLE)),
    (e) => e.status === 409 && e.errorCode === 409, 'incompatible registration is a 409');
  await assert.rejects(c.getId(subject, avro(V2_COMPATIBLE)),
    (e) => e.status === 404 && e.errorCode === 40403, 'an unregistered schema is 40403');
  assert.equal(await c.updateCompatibility(subject, 'FULL'), 'FULL');
  assert.equal(await c.getCompatibility(subject), 'FULL');
  assert.equal(await c.getDefaultCompatibility(), 'BACKWARD');
  const id2 = await c.register(subject, avro(V2_COMPATIBLE));
  assert.equal(await c.getVersion(subject, avro(V2_COMPATIBLE)), 2);
  const scratch = `${prefix}-scratch-value`;
  await c.register(scratch, avro(SCHEMA));
  assert.deepEqual(await c.deleteSubject(scratch), [1]);
  assert.deepEqual(await c.deleteSubject(scratch, true), [1]);
  results.confluent = { id, id2, subject };

  // --- @kafkajs/confluent-schema-registry ---
  const k = kafkajsRegistry(url);
  const kSubject = `${prefix}-kafkajs-value`;
  const { id: kid } = await k.register({ type: SchemaType.AVRO, schema: JSON.stringify(SCHEMA) },
    { subject: kSubject });
  assert.equal(kid, id, 'the same schema under another subject shares the id');
  assert.equal(await k.getRegistryIdBySchema(kSubject, { type: SchemaType.AVRO, schema: JSON.stringify(SCHEMA) }), kid);
  assert.equal(await k.getLatestSchemaId(kSubject), kid);
  assert.equal(await k.getRegistryId(kSubject, 1), kid);
  const fetched = await k.getSchema(kid);
  assert.equal(fetched.name, 'io.swarmsched.interop.InteropHost');
  // registering again goes through GET /config/{subject}, which now answers BACKWARD (set by the client)
  const { id: again } = await k.register({ type: SchemaType.AVRO, schema: JSON.stringify(SCHEMA) },
    { subject: kSubject });
  assert.equal(again, kid);
  await assert.rejects(k.getRegistryIdBySchema(kSubject, { type: SchemaType.AVRO, schema: JSON.stringify(V2_COMPATIBLE) }));
  results.kafkajs = { id: kid, subject: kSubject };
  return results;
}

async function encode(url, topic) {
  const subject = `${topic}-value`;
  const c = confluentClient(url);
  await c.register(subject, avro(SCHEMA));
  const serializer = new AvroSerializer(c, SerdeType.VALUE, { autoRegisterSchemas: false, useLatestVersion: true });
  const confluentBytes = await serializer.serialize(topic, NODE_VALUE);
  const k = kafkajsRegistry(url);
  const { id } = await k.register({ type: SchemaType.AVRO, schema: JSON.stringify(SCHEMA) }, { subject });
  const kafkajsBytes = await k.encode(id, NODE_VALUE);
  return { confluent: confluentBytes.toString('hex'), kafkajs: kafkajsBytes.toString('hex'), id };
}

async function decode(url, topic, hex) {
  const bytes = Buffer.from(hex, 'hex');
  const deserializer = new AvroDeserializer(confluentClient(url), SerdeType.VALUE, {});
  const confluent = await deserializer.deserialize(topic, bytes);
  const kafkajs = await kafkajsRegistry(url).decode(bytes);
  return { confluent, kafkajs };
}

async function main() {
  const [command, url, arg1, arg2] = process.argv.slice(2);
  let result;
  switch (command) {
    case 'clients': result = await clients(url, arg1); break;
    case 'encode': result = await encode(url, arg1); break;
    case 'decode': result = await decode(url, arg1, arg2); break;
    default: throw new Error(`unknown command ${command}`);
  }
  console.log(JSON.stringify(result, (key, value) => (typeof value === 'bigint' ? value.toString() : value)));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  if (e && e.response) console.error('response:', JSON.stringify(e.response.data));
  process.exit(1);
});
