import KingletChatTemplate
import KingletGrammar

/// A function the model may call (OpenAI's `{"type": "function", "function": {...}}`).
public struct FunctionTool: Sendable {
    /// `^[A-Za-z0-9_-]{1,64}$`, as OpenAI requires.
    public var name: String
    public var description: String?
    /// JSON Schema of the arguments object; nil: the function takes no arguments (`{}`), as
    /// OpenAI reads a function without `parameters`.
    public var parameters: JSONValue?

    public init(name: String, description: String? = nil, parameters: JSONValue? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    /// Whether `name` is one OpenAI accepts: 1–64 of letters, digits, `_` and `-`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2D
        }
    }

    /// The arguments' schema; without one, the empty object.
    var argumentsSchema: JSONValue {
        parameters ?? .object([("type", .string("object")), ("properties", .object([])), ("additionalProperties", .bool(false))])
    }

    /// `{"name", "description", "parameters"}`: what a prompt lists for the function.
    var functionJSON: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("name", .string(name))]
        if let description { members.append(("description", .string(description))) }
        members.append(("parameters", argumentsSchema))
        return .object(members)
    }

    /// The OpenAI tool object as a chat template reads it (`tool.function.name`, ...).
    public var templateValue: TemplateValue {
        .object(["type": "function", "function": TemplateValue(json: functionJSON)])
    }
}

/// Which calls the model may or must make (`tool_choice`).
public enum ToolChoice: Sendable, Equatable {
    /// No call: the tools are not shown to the model.
    case none
    /// The model answers or calls, as it chooses.
    case auto
    /// The model must call at least one function.
    case required
    /// The model must call this function.
    case function(String)
}

/// A call the model made: `arguments` is the JSON text of the arguments object.
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// A fresh OpenAI-style call id: `call_` and 24 random letters and digits.
    public static func newID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return "call_" + String((0 ..< 24).map { _ in alphabet.randomElement()! })
    }
}

extension TemplateValue {
    /// A parsed JSON value as a template value (object key order kept; integers stay integers).
    public init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let text, let v):
            if let i = Int(text) { self = .int(i) } else { self = .double(v) }
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(TemplateValue.init(json:)))
        case .object(let members): self = .object(TemplateObject(members.map { ($0.key, TemplateValue(json: $0.value)) }))
        }
    }
}
