/**
 * Stands in for @radix-ui/react-dialog, which cmdk imports only for
 * Command.Dialog. The palette is a native <dialog> instead, but cmdk's
 * Object.assign(Command, { Dialog }) keeps Radix's dialog (about 11 kB
 * gzipped: focus scope, scroll lock, portal) in the bundle unless it is
 * swapped out here (see web/vite.config.ts). Using Command.Dialog fails loudly.
 */
function unused(): never {
  throw new Error("Command.Dialog is not available: the palette uses a native <dialog>");
}

export const Root = unused;
export const Portal = unused;
export const Overlay = unused;
export const Content = unused;
