import IPMPostgres
import IPMTestSupport
import Testing

@Suite struct ZZTmpFixtureCheck {
    @Test(arguments: [true, false]) func fresh(migrated: Bool) async throws {
        let db = try await TestDatabase.fresh(migrated: migrated)
        let rows = try await db.client.query("SELECT current_database() AS name")
        let name: String = try rows[0].decode("name")
        #expect(name == db.name)
        let tables = try await db.client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")
        let n: Int = try tables[0].decode("n")
        print("FIXTURE \(db.name) migrated=\(migrated) tables=\(n) conn=\(db.connectionString)")
        #expect(migrated ? n > 0 : n == 0)
        await db.drop()
    }
}
