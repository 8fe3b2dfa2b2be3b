import ArgumentParser
import IPMDomain

/// A leaf command that works on the database through the composition root's context.
protocol OperatorCommand: ParsableCommand {
    /// `ipm migrate` must run on a database whose schema is behind; everything else must not.
    static var isMigrationCommand: Bool { get }
    func run(in context: any OperatorContext) async throws
}

extension OperatorCommand {
    static var isMigrationCommand: Bool { false }
}
