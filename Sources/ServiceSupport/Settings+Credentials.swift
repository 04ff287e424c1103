import Foundation

extension Settings {
    /// The largest credential file read (a URL with a password or a key is far smaller).
    public static let maximumCredentialBytes = 64 * 1024

    /// `environment` with the credentials systemd passes as files: each regular file of `$CREDENTIALS_DIRECTORY`
    /// (`LoadCredential=DATABASE_URL:/etc/videoqueue/database-url` in a unit) whose name is a variable name
    /// (`A-Z`, `0-9`, `_`) not set in `environment` becomes that variable, its content without the trailing newline.
    /// Secrets then stay out of unit files and out of `systemctl show`. A file larger than
    /// ``maximumCredentialBytes`` or unreadable is a ``ConfigurationError`` naming it.
    public static func withCredentials(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> [String: String] {
        guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else { return environment }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ConfigurationError(setting: "CREDENTIALS_DIRECTORY", message: "cannot list \(directory): \(error.localizedDescription)")
        }
        var result = environment
        for name in names.sorted() where result[name] == nil && isVariableName(name) {
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ConfigurationError(setting: name, message: "cannot read the credential file \(path)")
            }
            defer { try? handle.close() }
            let data = (try? handle.read(upToCount: maximumCredentialBytes + 1)) ?? Data()
            guard data.count <= maximumCredentialBytes else {
                throw ConfigurationError(setting: name, message: "the credential file \(path) is larger than \(maximumCredentialBytes) bytes")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(setting: name, message: "the credential file \(path) is not UTF-8 text")
            }
            result[name] = text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
        }
        return result
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
