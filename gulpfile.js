// Copies the non-TypeScript assets n8n and Node-RED load at run time next to the compiled
// JavaScript, keeping their folder layout: the one icons folder (n8n nodes and the credential point
// at dist/icons), the codex files, and the Node-RED editor HTML (Node-RED wants each beside its .js).
const { src, dest } = require('gulp');

function copyAssets() {
  return src(['icons/*.{png,svg}', 'nodes/**/*.json', 'node-red/*.html'], { base: '.', allowEmpty: true, encoding: false }).pipe(dest('dist'));
}

exports.build = copyAssets;
exports.default = copyAssets;
