public import IPMMigrationKit

/// The schema this build of IPM expects: `migrations/*.sql`, embedded at build time.
public enum IPMSchema {
    public static var migrations: [Migration] { EmbeddedMigrations.all }
}
