#!/usr/bin/env node
// Checks that a schema (SDL file) honours the API contract in docs/contract.graphql:
// every contract type, field, argument, enum value and input field must exist with the same type;
// the schema may add more, but no new required argument or input field on a contract type.
// Usage, from the project root:  node scripts/contract-check.mjs [--only NAMES] [schema.graphql]
//   --only Partner,PartnerStatus,Mutation.applyForPartnerStatus  checks just those types, or those fields of a type
//   (a field named this way brings in the types of its arguments and result).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const { buildSchema, isObjectType, isInterfaceType, isInputObjectType, isEnumType, isScalarType, isUnionType, isNonNullType } = require('graphql');

const here = path.dirname(fileURLToPath(import.meta.url));
const contractPath = path.join(here, '..', 'docs', 'contract.graphql');
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only =
  onlyAt >= 0
    ? args
        .splice(onlyAt, 2)[1]
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : null;
const schemaPath = args[0] ?? 'schema.graphql';

const contract = buildSchema(readFileSync(contractPath, 'utf8'));
let schema;
try {
  schema = buildSchema(readFileSync(schemaPath, 'utf8'));
} catch (e) {
  console.log(`contract-check: cannot read ${schemaPath}: ${e.message}`);
  process.exit(2);
}

const problems = [];
const { getNamedType } = require('graphql');
// With --only: the named types, plus for Type.field the field itself and every type it mentions.
let wantedTypes = null;
const wantedFields = new Map();
if (only) {
  wantedTypes = new Set();
  const addType = (t) => {
    const n = getNamedType(t).name;
    if (wantedTypes.has(n)) return;
    wantedTypes.add(n);
    const ct = contract.getType(n);
    if (isInputObjectType(ct)) for (const f of Object.values(ct.getFields())) addType(f.type);
  };
  for (const item of only) {
    const [tn, fn] = item.split('.');
    const ct = contract.getType(tn);
    if (!ct) {
      problems.push(`--only names ${item}, which the contract does not have`);
      continue;
    }
    if (!fn) {
      wantedTypes.add(tn);
      continue;
    }
    const f = ct.getFields()[fn];
    if (!f) {
      problems.push(`--only names ${item}, which the contract does not have`);
      continue;
    }
    if (!wantedFields.has(tn)) wantedFields.set(tn, new Set());
    wantedFields.get(tn).add(fn);
    addType(f.type);
    for (const a of f.args ?? []) addType(a.type);
  }
}
const kind = (t) =>
  isObjectType(t)
    ? 'object'
    : isInterfaceType(t)
      ? 'interface'
      : isInputObjectType(t)
        ? 'input'
        : isEnumType(t)
          ? 'enum'
          : isScalarType(t)
            ? 'scalar'
            : isUnionType(t)
              ? 'union'
              : 'other';

for (const [name, ct] of Object.entries(contract.getTypeMap())) {
  if (name.startsWith('__')) continue;
  if (wantedTypes && !wantedTypes.has(name) && !wantedFields.has(name)) continue;
  const st = schema.getType(name);
  if (!st) {
    problems.push(`missing type ${name}`);
    continue;
  }
  if (kind(ct) !== kind(st)) {
    problems.push(`${name} is ${kind(st)}, contract says ${kind(ct)}`);
    continue;
  }
  if (isEnumType(ct)) {
    const have = new Set(st.getValues().map((v) => v.name));
    for (const v of ct.getValues()) if (!have.has(v.name)) problems.push(`enum ${name} lacks ${v.name}`);
  }
  if (isObjectType(ct) || isInterfaceType(ct)) {
    const sf = st.getFields();
    for (const [fname, cf] of Object.entries(ct.getFields())) {
      if (wantedTypes && !wantedTypes.has(name) && !wantedFields.get(name)?.has(fname)) continue;
      const f = sf[fname];
      if (!f) {
        problems.push(`missing field ${name}.${fname}`);
        continue;
      }
      if (String(f.type) !== String(cf.type)) problems.push(`${name}.${fname} is ${f.type}, contract says ${cf.type}`);
      const cargs = new Map(cf.args.map((a) => [a.name, a]));
      for (const a of cf.args) {
        const sa = f.args.find((x) => x.name === a.name);
        if (!sa) problems.push(`missing argument ${name}.${fname}(${a.name})`);
        else if (String(sa.type) !== String(a.type)) problems.push(`${name}.${fname}(${a.name}) is ${sa.type}, contract says ${a.type}`);
      }
      for (const a of f.args) {
        if (!cargs.has(a.name) && isNonNullType(a.type) && a.defaultValue === undefined) {
          problems.push(`${name}.${fname} adds required argument ${a.name}`);
        }
      }
    }
  }
  if (isInputObjectType(ct)) {
    const sf = st.getFields();
    const cf = ct.getFields();
    for (const [fname, f] of Object.entries(cf)) {
      if (!sf[fname]) problems.push(`missing input field ${name}.${fname}`);
      else if (String(sf[fname].type) !== String(f.type)) problems.push(`${name}.${fname} is ${sf[fname].type}, contract says ${f.type}`);
    }
    for (const [fname, f] of Object.entries(sf)) {
      if (!cf[fname] && isNonNullType(f.type) && f.defaultValue === undefined) problems.push(`${name} adds required input field ${fname}`);
    }
  }
}

for (const p of problems) console.log(p);
const total = wantedTypes ? wantedTypes.size + wantedFields.size : Object.keys(contract.getTypeMap()).filter((n) => !n.startsWith('__')).length;
console.log(
  problems.length ? `contract-check: ${problems.length} problem(s) over ${total} contract types` : `contract-check: schema honours all ${total} contract types`,
);
process.exit(problems.length ? 1 : 0);
