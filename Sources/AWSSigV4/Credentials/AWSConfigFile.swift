import Foundation

/// A parsed AWS shared credentials file (`~/.aws/credentials`) or config file (`~/.aws/config`).
///
/// The syntax follows the AWS CLI and SDKs:
/// - `[name]` starts a profile in the credentials file; in the config file profiles are
///   `[profile name]`, plus `[default]` (other sections such as `[sso-session x]` are parsed but
///   not returned as profiles);
/// - `key = value` settings, split at the first `=`, keys and values trimmed, keys case-sensitive;
/// - lines whose first non-blank character is `#` or `;` are comments, and so is the rest of a
///   value or section line from a `#` or `;` that follows whitespace;
/// - a line indented deeper than the setting above it continues that setting's value
///   (the nested `s3 =` style of the config file);
/// - a section seen twice is merged, and a key seen twice keeps its last value.
///
/// A setting outside any section, a line that is neither a section nor a setting, and an
/// unterminated `[` are errors naming the file and the line number, never the line's content,
/// which could hold a secret.
public struct AWSConfigFile: Sendable, Equatable {
    /// Which of the two shared files is parsed; they name profile sections differently.
    public enum Kind: Sendable, Hashable {
        /// The credentials file: `[name]` sections.
        case credentials
        /// The config file: `[profile name]` and `[default]` sections.
        case config
    }

    /// The provider name used in the errors of the shared files.
    static let providerName = "shared files"

    /// The file's path, as used in error messages.
    public var path: String
    /// Which kind of file this is.
    public var kind: Kind
    /// The settings of each profile, by profile name.
    public var profiles: [String: [String: String]]

    /// Parses the text of a shared file.
    ///
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - kind: Whether it is a credentials or a config file.
    ///   - path: The file's path, used in error messages only.
    /// - Throws: ``CredentialsError`` with code ``CredentialsError/Code/invalidConfiguration``
    ///   naming the path and line of the first malformed line.
    public init(parsing text: String, kind: Kind, path: String) throws(CredentialsError) {
        self.path = path
        self.kind = kind
        self.profiles = [:]

        /// Whether a section header has been seen, and the profile receiving settings
        /// (`nil` in sections that are not profiles).
        var inSection = false
        var currentProfile: String?
        /// The last setting read and the indentation of its line, for continuation lines.
        var lastSetting: (key: String, indentation: Int)?

        // `\r\n` is a single newline `Character`, so CRLF files split like LF ones.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, line) in lines.enumerated() {
            let lineNumber = index + 1
            let indentation = line.prefix { $0 == " " || $0 == "\t" }.count
            let content = line.trimmingCharacters(in: .whitespaces)

            if content.isEmpty || content.hasPrefix("#") || content.hasPrefix(";") {
                continue
            }

            if let setting = lastSetting, indentation > setting.indentation {
                // A continuation of the previous setting's value (nested config-file settings).
                if let profile = currentProfile {
                    let previous = profiles[profile]?[setting.key] ?? ""
                    let addition = Self.strippingInlineComment(content)
                    profiles[profile, default: [:]][setting.key] =
                        previous.isEmpty ? addition : previous + "\n" + addition
                }
                continue
            }

            if content.hasPrefix("[") {
                guard let close = content.firstIndex(of: "]") else {
                    throw error(line: lineNumber, "unterminated '[' in section header")
                }
                let rest = Self.strippingInlineComment(String(content[content.index(after: close)...]))
                guard rest.isEmpty || rest.hasPrefix("#") || rest.hasPrefix(";") else {
                    throw error(line: lineNumber, "unexpected text after section header")
                }
                let name = content[content.index(after: content.startIndex)..<close]
                    .trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else {
                    throw error(line: lineNumber, "empty section name")
                }
                let profile = profileName(forSection: name)
                if let profile, profiles[profile] == nil {
                    profiles[profile] = [:]
                }
                inSection = true
                currentProfile = profile
                lastSetting = nil
                continue
            }

            guard let equals = content.firstIndex(of: "=") else {
                throw error(line: lineNumber, "expected '[section]' or 'key = value'")
            }
            let key = content[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else {
                throw error(line: lineNumber, "setting without a key")
            }
            guard inSection else {
                throw error(line: lineNumber, "setting outside of any [section]")
            }
            let value = Self.strippingInlineComment(String(content[content.index(after: equals)...]))
            if let profile = currentProfile {
                profiles[profile, default: [:]][key] = value
            }
            lastSetting = (key, indentation)
        }
    }

    /// Reads and parses the file at `path`.
    ///
    /// - Returns: The parsed file, or `nil` when there is no file at `path`.
    /// - Throws: ``CredentialsError`` with code ``CredentialsError/Code/invalidConfiguration``
    ///   when the file exists but cannot be read or is malformed.
    public static func load(path: String, kind: Kind) throws(CredentialsError) -> AWSConfigFile? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return nil
        }
        guard !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path)
        else {
            throw CredentialsError(
                code: .invalidConfiguration,
                message: "cannot read \(path)",
                provider: providerName
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CredentialsError(
                code: .invalidConfiguration,
                message: "\(path) is not valid UTF-8",
                provider: providerName
            )
        }
        return try AWSConfigFile(parsing: text, kind: kind, path: path)
    }

    /// The profile a section header names in this kind of file, or `nil` for non-profile sections.
    private func profileName(forSection name: String) -> String? {
        switch kind {
        case .credentials:
            return name
        case .config:
            if name == "default" { return name }
            let parts = name.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2, parts[0] == "profile" else { return nil }
            let profile = parts[1].trimmingCharacters(in: .whitespaces)
            return profile.isEmpty ? nil : profile
        }
    }

    /// Removes a `#` or `;` comment that follows whitespace, then trims the text.
    static func strippingInlineComment(_ text: String) -> String {
        var previousWasWhitespace = false
        var end = text.endIndex
        for index in text.indices {
            let character = text[index]
            if previousWasWhitespace, character == "#" || character == ";" {
                end = index
                break
            }
            previousWasWhitespace = character == " " || character == "\t"
        }
        return text[..<end].trimmingCharacters(in: .whitespaces)
    }

    /// A parse error naming the file and line, never the line's content.
    private func error(line: Int, _ reason: String) -> CredentialsError {
        CredentialsError(
            code: .invalidConfiguration,
            message: "malformed \(path), line \(line): \(reason)",
            provider: Self.providerName
        )
    }
}
