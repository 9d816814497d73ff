/** authhook's version, as `authhook.version` in the environ. */
export const VERSION = '0.1.0';
