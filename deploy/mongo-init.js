// Run by the compose service mongo-init on every `docker compose up`: each step is done only once. It signs in
// as root with the Docker secret (read here, never passed on a command line).
const rootPassword = fs.readFileSync("/run/secrets/mongo_root_password", "utf8").trim();
db.getSiblingDB("admin").auth("root", rootPassword);
// 1. the single-node replica set (the shape the service supports: majority writes, one primary)
try {
  rs.status();
} catch (e) {
  if (e.codeName !== "NotYetInitialized") throw e;
  rs.initiate({ _id: "rs0", members: [{ _id: 0, host: "mongo:27017" }] });
}
for (let i = 0; i < 60 && !db.hello().isWritablePrimary; i++) sleep(1000);
if (!db.hello().isWritablePrimary) throw new Error("the replica set has no primary after 60 s");

// 2. the application's user: read and write on its own database, nothing else
const app = db.getSiblingDB("concierge");
const password = process.env.MONGO_APP_PASSWORD;
if (!password) throw new Error("MONGO_APP_PASSWORD is not set");
if (app.getUser("concierge") === null) {
  app.createUser({ user: "concierge", pwd: password, roles: [{ role: "readWrite", db: "concierge" }] });
} else {
  app.updateUser("concierge", { pwd: password }); // a rotated password takes effect on the next `up`
}
print("mongo-init: replica set rs0 and user concierge ready");
