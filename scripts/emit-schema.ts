// Writes schema.graphql from the code (sorted). `npm test` fails when the committed file differs.
import fs from 'node:fs';
import path from 'node:path';
import { printAppSchema } from '../src/app/build-schema';

void printAppSchema().then((sdl) => {
  fs.writeFileSync(path.join(__dirname, '..', '..', 'schema.graphql'), sdl);
  console.log('schema.graphql written');
});
