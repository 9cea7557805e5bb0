// Copies the non-TypeScript assets n8n and Node-RED load at run time (icons, codex files, editor HTML)
// next to the compiled JavaScript, keeping their folder layout.
const { src, dest } = require('gulp');

function copyAssets() {
  return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}'], { base: '.', allowEmpty: true, encoding: false }).pipe(
    dest('dist'),
  );
}

exports.build = copyAssets;
exports.default = copyAssets;
