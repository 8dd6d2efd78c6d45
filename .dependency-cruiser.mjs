// Import rules for backend/src, checked by `npm run lint` (scripts/structure.mjs runs this with
// dependency-cruiser and adds the one rule it cannot say: no loop between feature folders).
// The layers, lowest first: lib/ → config/ → integrations/, http/ → modules/<feature>/ → the
// composition roots (main.ts, worker.ts, app.ts, api.ts, *-services.ts, job-registry.ts).
const ROOTS = '^backend/src/(main|worker|app|api|web-services|worker-services|job-registry|tooling)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A loop between files (type-only imports included) makes every file in it change together.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'backend-not-to-dev-tools',
      comment: 'The product never imports the local stack, the emulators, the tests or the scripts.',
      severity: 'error',
      from: { path: '^backend/src/' },
      to: { path: '^(stack|emulators|tests|scripts|frontend)/' },
    },
    {
      name: 'lib-is-the-floor',
      comment: 'lib/ holds helpers everything may use, so it imports nothing of ours above it.',
      severity: 'error',
      from: { path: '^backend/src/lib/' },
      to: { path: '^backend/src/(config|http|integrations|modules|maintenance)/|' + ROOTS },
    },
    {
      name: 'config-reads-only-lib',
      comment: 'The configuration is parsed once, before anything else exists.',
      severity: 'error',
      from: { path: '^backend/src/config/' },
      to: { path: '^backend/src/(http|integrations|modules|maintenance)/|' + ROOTS },
    },
    {
      name: 'integrations-know-no-features',
      comment: "Clients of outside services speak the providers' protocols, not our features' rules.",
      severity: 'error',
      from: { path: '^backend/src/integrations/' },
      to: { path: '^backend/src/(http|modules|maintenance)/|' + ROOTS },
    },
    {
      name: 'http-knows-no-features',
      comment: 'HTTP plumbing (routes, validation, errors, the signed-in user) serves every feature alike.',
      severity: 'error',
      from: { path: '^backend/src/http/' },
      to: { path: '^backend/src/(modules|maintenance)/|' + ROOTS },
    },
    {
      name: 'features-not-to-roots',
      comment: 'Wiring lives in the composition roots; features take what they need as arguments.',
      severity: 'error',
      from: { path: '^backend/src/(modules|maintenance)/' },
      to: { path: ROOTS },
    },
    {
      name: 'features-use-public-files',
      comment:
        'Another feature is used through its <feature>.service.ts or <feature>.schemas.ts only; the rest of its folder can change without asking. The roots wire internals (that is their job).',
      severity: 'error',
      from: { path: '^backend/src/modules/([^/]+)/' },
      to: {
        path: '^backend/src/modules/',
        pathNot: ['^backend/src/modules/$1/', '^backend/src/modules/([^/]+)/\\1\\.(service|schemas)\\.ts$'],
      },
    },
    {
      name: 'maintenance-uses-public-files',
      comment: 'The maintenance jobs use features as any other feature does.',
      severity: 'error',
      from: { path: '^backend/src/maintenance/' },
      to: { path: '^backend/src/modules/', pathNot: '^backend/src/modules/([^/]+)/\\1\\.(service|schemas)\\.ts$' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'backend/tsconfig.json' },
    exclude: { path: '^backend/src/generated/' },
    doNotFollow: { path: 'node_modules' },
  },
};
