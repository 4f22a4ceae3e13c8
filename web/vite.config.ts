import { defineConfig } from 'vite';

// The dashboard is built into web/dist and served by `ipgeolocator serve`; every asset is bundled (no CDN).
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
});
