import { createServer } from "node:net";

/** Whether nothing listens on `port` of `hostname`. */
export function portIsFree(port: number, hostname = "127.0.0.1"): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, hostname, () => server.close(() => done(true)));
  });
}
