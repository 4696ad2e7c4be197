// URLs of @ffmpeg/core's UMD files, emitted next to the bundle by webpack.
declare module 'cloudreel-ffmpeg-core.js' {
  const url: string;
  export default url;
}
declare module 'cloudreel-ffmpeg-core.wasm' {
  const url: string;
  export default url;
}
