/// A frame of variables. jinja2's scoping, as templates observe it:
/// - `if` blocks share their enclosing frame;
/// - each `for` iteration, each macro call and each `with` block gets a child frame, so a `set`
///   inside a loop body is forgotten at the end of the iteration (hence `namespace`);
/// - macros see their defining frame by reference, so top-level names set after the macro
///   definition are visible when it is called.
final class Scope {
    let parent: Scope?
    private var variables: [String: Value] = [:]

    init(parent: Scope?) {
        self.parent = parent
    }

    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let s = scope {
            if let v = s.variables[name] { return v }
            scope = s.parent
        }
        return nil
    }

    func set(_ name: String, _ value: Value) {
        variables[name] = value
    }

    /// Drops every variable (see `Renderer.tearDown`).
    func clear() {
        variables = [:]
    }
}

/// How a statement list finished: normally or by `{% break %}` / `{% continue %}`.
enum Flow {
    case normal, breakLoop, continueLoop
}
