import Foundation
import ServiceSupport
import VideoCore

/// The named processing presets an upload may choose from (`preset=`), read from a JSON file
/// (`VIDEOQUEUE_PRESETS_FILE`), and the default preset:
///
/// ```json
/// {"default": "web",
///  "presets": {"web": {"renditions": [1080, 720, 480]},
///              "4k": {"renditions": [2160, 1440, 1080], "codec": "hevc", "quality": 24},
///              "captions": {"renditions": [720], "language": "en"}}}
/// ```
///
/// Without a file there is one preset, `standard`, with the consumer's defaults. Every preset is validated when
/// the file is read (a bad one stops the producer with its path), and an upload's own options go over its preset's.
public struct PresetCatalog: Sendable, Equatable {
    /// The presets by name.
    public var presets: [String: ProcessingOptions]
    /// The preset of an upload that names none.
    public var defaultPreset: String

    /// The built-in catalog: `standard`, the consumer's defaults.
    public init() {
        presets = ["standard": ProcessingOptions()]
        defaultPreset = "standard"
    }

    public init(presets: [String: ProcessingOptions], defaultPreset: String) {
        self.presets = presets
        self.defaultPreset = defaultPreset
    }

    /// The file's shape.
    private struct File: Decodable {
        var `default`: String?
        var presets: [String: ProcessingOptions]
    }

    /// Reads and checks a presets file against the codecs available.
    /// - Throws: `ConfigurationError` naming `setting` and the preset's field.
    public static func load(path: String, codecs: Set<VideoCodec>, setting: String = "VIDEOQUEUE_PRESETS_FILE") throws(ConfigurationError) -> PresetCatalog {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(setting: setting, message: "cannot read \(path)")
        }
        guard data.count <= 1 << 20 else { throw ConfigurationError(setting: setting, message: "\(path) is larger than 1 MiB") }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw ConfigurationError(setting: setting, message: "\(path) is not a presets document ({\"default\": …, \"presets\": {…}}): \(error)")
        }
        var presets: [String: ProcessingOptions] = [:]
        for (name, options) in file.presets {
            guard Self.isValidName(name) else {
                throw ConfigurationError(setting: setting, message: "preset name '\(name.prefix(40))' must be 1–64 letters, digits, '-' or '_'")
            }
            do {
                presets[name] = try options.validated(codecs: codecs, root: "presets.\(name)")
            } catch {
                throw ConfigurationError(setting: setting, message: error.description)
            }
        }
        guard !presets.isEmpty else { throw ConfigurationError(setting: setting, message: "\(path) defines no preset") }
        let defaultPreset = file.default ?? (presets.count == 1 ? presets.keys.first ?? "" : "")
        guard presets[defaultPreset] != nil else {
            throw ConfigurationError(setting: setting, message: "the default preset '\(defaultPreset)' is not defined (set \"default\")")
        }
        return PresetCatalog(presets: presets, defaultPreset: defaultPreset)
    }

    /// Preset names: what a query parameter and a log line carry without escaping.
    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// What an upload asked for, resolved: the preset (`nil`: the default) with `options` over it, checked.
    /// - Throws: `APIError` `400 unknown_preset` or `400 invalid_options` with the field's path.
    func resolve(preset name: String?, options: ProcessingOptions?, codecs: Set<VideoCodec>) throws -> (preset: String, options: ProcessingOptions) {
        let name = name ?? defaultPreset
        guard let base = presets[name] else {
            throw APIError(
                .badRequest, code: "unknown_preset",
                message: "no preset named '\(name.prefix(64))' (presets: \(presets.keys.sorted().joined(separator: ", ")))", field: "preset")
        }
        do {
            return (name, try base.overridden(by: options ?? ProcessingOptions()).validated(codecs: codecs))
        } catch {
            throw APIError(.badRequest, code: "invalid_options", message: "\(error.field) \(error.message)", field: error.field)
        }
    }

    /// Parses an upload's `options` field (a JSON object).
    /// - Throws: `APIError` `400 invalid_options` with the field's path.
    static func options(_ text: String?) throws -> ProcessingOptions? {
        guard let text, !text.isEmpty else { return nil }
        do {
            return try ProcessingOptions.decode(Data(text.utf8))
        } catch {
            throw APIError(.badRequest, code: "invalid_options", message: "\(error.field) \(error.message)", field: error.field)
        }
    }
}
