import Foundation
import Testing

/// One line on standard error, nothing on standard output.
func expectOneLineFailure(_ run: ProgramRun, status: Int32 = 1, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.status == status, "exit status; stderr: \(run.stderr)", sourceLocation: sourceLocation)
    #expect(run.stdout.isEmpty, "stdout: \(run.stdout)", sourceLocation: sourceLocation)
    #expect(run.stderr.split(separator: "\n").count == 1, "stderr: \(run.stderr)", sourceLocation: sourceLocation)
    #expect(run.stderr.contains(text), "stderr: \(run.stderr)", sourceLocation: sourceLocation)
}

/// A program's standard output parsed as JSON.
func json(_ run: ProgramRun) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
}

/// A file's permission bits.
func mode(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
}
