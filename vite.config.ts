/**
 * Builds both browser clients with one `vite build`:
 *   dist/console/  the agent console SPA (index.html + assets), served by the app at `/`;
 *   dist/widget/   widget.js (one self-contained IIFE, served at /widget.js) and h5.html (served at /h5).
 * The console is this config; the widget is a library build started once the console bundle is written.
 * `vite` (dev) serves the console and proxies the API and sockets to a local server on :3000.
 */
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type InlineConfig, type Plugin } from 'vite';

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const devServer = process.env['KEFU_DEV_SERVER'] ?? 'http://127.0.0.1:3000';

const widgetBuild: InlineConfig = {
  configFile: false,
  root: path('console/widget'),
  publicDir: path('console/widget/public'),
  logLevel: 'warn',
  build: {
    outDir: path('dist/widget'),
    emptyOutDir: true,
    target: 'es2020',
    lib: {
      entry: path('console/widget/widget.ts'),
      formats: ['iife'],
      name: 'KefuWidget',
      fileName: () => 'widget.js',
    },
    // A classic script is decoded in the host page's charset (GBK sites are common): keep it ASCII.
    rolldownOptions: { output: { charset: 'ascii' } },
  },
};

function widgetLibrary(): Plugin {
  return {
    name: 'kefu-widget-library',
    apply: 'build',
    async closeBundle(error?: Error) {
      if (!error) await build(widgetBuild);
    },
  };
}

export default defineConfig({
  root: path('console/app'),
  base: '/',
  publicDir: false,
  plugins: [widgetLibrary()],
  build: {
    outDir: path('dist/console'),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    port: 5173,
    proxy: {
      '/api': devServer,
      '/uploads': devServer,
      '/media': devServer,
      '/widget.js': devServer,
      '/h5': devServer,
      '/ws': { target: devServer.replace(/^http/, 'ws'), ws: true },
    },
  },
});
