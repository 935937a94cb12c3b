import KingletGrammar
import KingletRuntime

/// The request fields that offer functions: `tools`, `tool_choice`, `parallel_tool_calls`. Read
/// from the parsed body (a parameters schema's property order is its arguments' order, and
/// `Codable` keeps no order). A malformed field is a 400 naming it.
struct ToolFields: Sendable {
    var tools: [FunctionTool]
    var choice: ToolChoice
    var parallel: Bool

    /// OpenAI accepts at most 128 functions.
    static let maxTools = 128

    /// The fields, or nil when the body offers no tools.
    static func read(_ root: JSONValue) throws(APIError) -> ToolFields? {
        let toolList = root["tools"].present
        let choiceValue = root["tool_choice"].present
        guard toolList != nil || choiceValue != nil else { return nil }
        var tools: [FunctionTool] = []
        if let toolList {
            guard case .array(let items) = toolList else {
                throw .invalid("'tools' must be an array of {\"type\": \"function\", \"function\": {...}}.", param: "tools")
            }
            guard items.count <= maxTools else { throw .invalid("'tools' has \(items.count) entries; at most \(maxTools) are accepted.", param: "tools") }
            for (i, item) in items.enumerated() { tools.append(try tool(item, param: "tools[\(i)]")) }
            var seen = Set<String>()
            for (i, t) in tools.enumerated() where !seen.insert(t.name).inserted {
                throw .invalid("Function name '\(t.name)' appears twice in 'tools'.", param: "tools[\(i)].function.name")
            }
        }
        let choice = try toolChoice(choiceValue, tools: tools)
        var parallel = true
        if let p = root["parallel_tool_calls"].present {
            guard case .bool(let b) = p else { throw .invalid("'parallel_tool_calls' must be a boolean.", param: "parallel_tool_calls") }
            parallel = b
        }
        return ToolFields(tools: tools, choice: choice, parallel: parallel)
    }

    private static func tool(_ v: JSONValue, param: String) throws(APIError) -> FunctionTool {
        guard case .string(let type)? = v["type"], type == "function" else {
            throw .invalid("'\(param).type' must be \"function\" (the only tool type this server runs).", param: "\(param).type")
        }
        guard let f = v["function"], case .object = f else {
            throw .invalid("'\(param).function' must be an object with a 'name'.", param: "\(param).function")
        }
        guard case .string(let name)? = f["name"], FunctionTool.isValidName(name) else {
            throw .invalid("'\(param).function.name' must be 1–64 letters, digits, '_' or '-'.", param: "\(param).function.name")
        }
        var description: String?
        if let d = f["description"].present {
            guard case .string(let s) = d else { throw .invalid("'\(param).function.description' must be a string.", param: "\(param).function.description") }
            description = s
        }
        var parameters: JSONValue?
        if let p = f["parameters"].present {
            guard case .object = p else {
                throw .invalid("'\(param).function.parameters' must be a JSON Schema object.", param: "\(param).function.parameters")
            }
            parameters = p
        }
        return FunctionTool(name: name, description: description, parameters: parameters)
    }

    /// `"none" | "auto" | "required" | {"type": "function", "function": {"name": ...}}`; the
    /// default is `auto` with tools and `none` without, as OpenAI's.
    private static func toolChoice(_ v: JSONValue?, tools: [FunctionTool]) throws(APIError) -> ToolChoice {
        switch v {
        case nil: return tools.isEmpty ? .none : .auto
        case .string("none")?: return .none
        case .string("auto")?: return tools.isEmpty ? .none : .auto
        case .string("required")?:
            guard !tools.isEmpty else { throw .invalid("'tool_choice' is \"required\" but no 'tools' were sent.", param: "tool_choice") }
            return .required
        case .object?:
            guard case .string(let name)? = v?["function"]?["name"] else {
                throw .invalid("'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}.",
                               param: "tool_choice")
            }
            guard tools.contains(where: { $0.name == name }) else {
                throw .invalid("'tool_choice' names function '\(name)', which is not in 'tools'.", param: "tool_choice.function.name")
            }
            return .function(name)
        default:
            throw .invalid("'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}.",
                           param: "tool_choice")
        }
    }

}
