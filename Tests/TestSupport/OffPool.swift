import Foundation

/// Runs a blocking `body` (a child process, a blocking socket read) on a thread of its own and awaits it, so the
/// cooperative pool (two threads on a two-core machine) stays free for the servers under test: a test that blocks
/// one of them while another test blocks the other stops every async task in the process.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Runs `arguments` (a program on `PATH` and its arguments) with `input` on its standard input, off the cooperative
/// pool; returns its exit status and standard output (standard error is dropped).
public func runTool(_ arguments: [String], input: Data? = nil) async throws -> (status: Int32, output: String) {
    try await offPool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(input)
            try stdin.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
