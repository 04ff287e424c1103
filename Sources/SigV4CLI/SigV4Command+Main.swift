import ArgumentParser
import Foundation

extension SigV4Command {
    /// Runs the tool with `arguments`: input errors print one line on standard error and exit with status 2.
    public static func runMain(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let error as CLIError {
            StandardError.write("sigv4: error: \(error.message)\n")
            Foundation.exit(CLIError.exitStatus)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            StandardError.write(fullMessage(for: error) + "\n")
            Foundation.exit(CLIError.exitStatus)
        }
    }
}
