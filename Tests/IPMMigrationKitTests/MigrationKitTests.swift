import Foundation
import IPMMigrationKit
import Testing

@Suite("Migration files")
struct MigrationFileNameTests {
    @Test(arguments: [
        ("0001_create_admins.sql", 1, "create_admins"),
        ("0042_add_api_tokens.sql", 42, "add_api_tokens"),
        ("12345_big.sql", 12345, "big"),
    ])
    func parsesConventionalNames(fileName: String, version: Int, name: String) {
        let parsed = MigrationFileName(fileName: fileName)
        #expect(parsed?.version == version)
        #expect(parsed?.name == name)
        #expect(parsed?.description == fileName)
    }

    @Test(arguments: ["001_short.sql", "0001-dash.sql", "0001_Upper.sql", "0001_.sql", "0000_zero.sql", "0001_x.txt", "abcd_x.sql", "0001_1st.sql"])
    func rejectsOtherNames(fileName: String) {
        #expect(MigrationFileName(fileName: fileName) == nil)
    }

    @Test func normalisesWhatADeveloperTypes() {
        #expect(MigrationFileName.normalizedName("Add API tokens") == "add_api_tokens")
        #expect(MigrationFileName.normalizedName("  refresh-leases!! ") == "refresh_leases")
        #expect(MigrationFileName.normalizedName("2fa") == nil)
        #expect(MigrationFileName.normalizedName("!!!") == nil)
    }

    @Test func checksumIsSHA256OfTheBytes() {
        // sha256("") and sha256("abc") from FIPS 180-2.
        #expect(Migration.checksum(of: "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Migration.checksum(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Migration(version: 1, name: "x", sql: "SELECT 1;\n").checksum != Migration(version: 1, name: "x", sql: "SELECT 1;\r\n").checksum)
    }
}

@Suite("Migration directory")
final class MigrationDirectoryTests {
    private var created: [URL] = []

    deinit {
        for url in created { try? FileManager.default.removeItem(at: url) }
    }

    private func makeDirectory(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ipm-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        created.append(url)
        for (name, text) in files {
            try Data(text.utf8).write(to: url.appendingPathComponent(name))
        }
        return url
    }

    @Test func loadsInVersionOrderAndIgnoresOtherFiles() throws {
        let url = try makeDirectory(["0002_b.sql": "B", "0001_a.sql": "A", "README.md": "notes", "0010_c.sql": "C"])
        let migrations = try MigrationDirectory(url: url).load()
        #expect(migrations.map(\.version) == [1, 2, 10])
        #expect(migrations.map(\.sql) == ["A", "B", "C"])
    }

    @Test func refusesBadNamesAndDuplicateVersions() throws {
        let badName = try makeDirectory(["0001_a.sql": "A", "2_b.sql": "B"])
        #expect(throws: MigrationDirectoryError.badFileName("2_b.sql")) { try MigrationDirectory(url: badName).load() }
        let duplicate = try makeDirectory(["0001_a.sql": "A", "0001_b.sql": "B"])
        #expect(throws: MigrationDirectoryError.duplicateVersion("0001_a.sql", "0001_b.sql")) { try MigrationDirectory(url: duplicate).load() }
    }

    @Test func nextFileNameFollowsTheHighestVersion() throws {
        let url = try makeDirectory(["0001_a.sql": "A", "0007_b.sql": "B"])
        let directory = MigrationDirectory(url: url)
        #expect(try directory.nextFileName(for: "Add API tokens").description == "0008_add_api_tokens.sql")
        #expect(throws: MigrationDirectoryError.nameTaken("a")) { try directory.nextFileName(for: "a") }
        #expect(throws: MigrationDirectoryError.badName("???")) { try directory.nextFileName(for: "???") }
        let empty = try makeDirectory([:])
        #expect(try MigrationDirectory(url: empty).nextFileName(for: "first").description == "0001_first.sql")
    }
}

@Suite("Embedded source")
struct EmbeddedSourceTests {
    @Test func literalReproducesEveryCharacter() {
        #expect(EmbeddedSource.literal("a\"b\\c\nd\r\te") == #""a\"b\\c\nd\r\te""#)
        #expect(EmbeddedSource.literal("é\u{7}") == #""\u{e9}\u{7}""#)
        let tricky = "\\(x) \"\"\""  // \(x) followed by three quotes
        #expect(EmbeddedSource.literal(tricky) == "\"\\\\(x) \\\"\\\"\\\"\"")
    }

    @Test func generatedSourceListsEveryMigration() {
        let source = EmbeddedSource.swift(for: [
            Migration(version: 1, name: "a", sql: "CREATE TABLE a (x int);\n"),
            Migration(version: 2, name: "b", sql: "-- it's \"quoted\"\n"),
        ])
        #expect(source.contains(#"Migration(version: 1, name: "a", sql: "CREATE TABLE a (x int);\n"),"#))
        #expect(source.contains(#"Migration(version: 2, name: "b", sql: "-- it's \"quoted\"\n"),"#))
        #expect(source.contains("enum EmbeddedMigrations"))
    }
}
