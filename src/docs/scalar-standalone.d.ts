/** The pinned Scalar browser bundle's bytes (a Data module: see scalar-standalone.js). */
declare const bundle: ArrayBuffer;
export default bundle;
