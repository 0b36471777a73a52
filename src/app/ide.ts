// The GraphQL IDE (SPEC §23): Ruru (GraphiQL, from the `ruru` npm package) served entirely by this server — its
// page on GET /graphql from a browser, every script, style, worker and font under /ide/ from the package's own
// files. No CDN, no font service, no telemetry: it works on a machine without internet. Docs come from the schema's
// descriptions; the headers editor holds the bearer token; subscriptions run over graphql-ws on the same /graphql.
import type { Express, Request } from 'express';
import { ruruHTML, type RuruClientConfig } from 'ruru/server';
import { getStaticFile } from 'ruru/static';

export const IDE_STATIC_PATH = '/ide/';

const DEFAULT_QUERY = `# Partner program API. Put your token in Headers below: {"Authorization": "Bearer <token>"}
# (npm start prints an admin token and a demo partner token). Docs: the book icon on the left.
query Dashboard {
  viewer { id role partner { id name status level rebateBalance { id available pendingWithdrawals } } }
}
`;

let page: string | null = null;

/** The IDE's HTML page; every URL in it is a path on this server. */
export function ideHtml(): string {
  page ??= ruruHTML({
    endpoint: '/graphql',
    subscriptionEndpoint: '/graphql',
    staticPath: IDE_STATIC_PATH,
    clientConfig: {
      defaultQuery: DEFAULT_QUERY,
      defaultHeaders: '{\n  "Authorization": "Bearer <token>"\n}',
      isHeadersEditorEnabled: true,
      inputValueDeprecation: true,
      schemaDescription: true,
      debugTools: [],
    } as Partial<RuruClientConfig> as RuruClientConfig,
    htmlParts: { titleTag: '<title>Partner program API — GraphQL IDE</title>' },
  });
  return page;
}

/** A browser opening /graphql (HTML wanted, no query in the URL) gets the IDE; API clients never do. */
function wantsIde(req: Request): boolean {
  if (req.query.query !== undefined) return false;
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

/** Mounts the IDE page and its assets; call before the GraphQL middleware on /graphql. */
export function mountIde(app: Express): void {
  app.get('/graphql', (req, res, next) => {
    if (!wantsIde(req)) return next();
    res.set('cache-control', 'no-cache').type('html').send(ideHtml());
  });
  app.get(`${IDE_STATIC_PATH}*file`, async (req, res, next) => {
    try {
      const file = await getStaticFile({ staticPath: IDE_STATIC_PATH, urlPath: req.path, acceptEncoding: req.headers['accept-encoding'] });
      if (!file) return next(); // the edge's JSON 404
      res.set(file.headers).send(file.content);
    } catch (error) {
      next(error);
    }
  });
}
