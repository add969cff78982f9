// What a client is told about something the vetted mirror does not hold.
export function notInMirrorMessage(what: string): string {
  return `${what} is not in the vetted mirror: depfence runs offline (offline: true) and serves only what was imported with depfence import; mirror it on a connected machine (depfence mirror) and import the bundle`;
}
