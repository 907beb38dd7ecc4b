/// salurctl's exit codes, the operator contract: scripts depend on them.
package enum SalurExit: Int32 {
    case ok = 0
    case failure = 1
    case usage = 2
    /// sysexits EX_DATAERR: the input data was refused.
    case dataError = 65
    /// sysexits EX_TEMPFAIL: try again later (e.g. the database stayed locked).
    case temporary = 75
}

/// An error that carries the exit code it should end the process with.
package struct CLIError: Error, CustomStringConvertible {
    package let message: String
    package let exit: SalurExit
    package init(_ message: String, exit: SalurExit = .failure) {
        self.message = message
        self.exit = exit
    }
    package var description: String { message }
}
