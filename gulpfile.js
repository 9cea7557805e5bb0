// Copies the non-TypeScript assets n8n and Node-RED load at run time next to the compiled
// JavaScript, keeping their folder layout: the one icons folder (n8n nodes and the credential point
// at dist/icons), the codex files, and the Node-RED editor HTML and palette icons (Node-RED wants the
// HTML beside each .js, and its icons in an icons folder there).
const { src, dest } = require('gulp');

const ASSETS = ['icons/*.{png,svg}', 'nodes/**/*.json', 'node-red/*.html', 'node-red/icons/*.{png,svg}'];

function copyAssets() {
  return src(ASSETS, { base: '.', allowEmpty: true, encoding: false }).pipe(dest('dist'));
}

exports.build = copyAssets;
exports.default = copyAssets;
