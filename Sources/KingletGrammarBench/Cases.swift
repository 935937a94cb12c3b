import KingletGrammar

/// A grammar and documents it accepts, fed as a model would produce them.
struct BenchCase {
    var name: String
    var grammar: () throws -> Grammar
    var documents: [String]
}

let jsonDocuments = [
    #"{"name": "Ada Lovelace", "born": 1815, "languages": ["English", "French"], "notes": {"analytical_engine": true, "children": 3}}"#,
    #"{"id": "b7f3c2e1", "items": [{"sku": "A-100", "qty": 2, "price": 19.99}, {"sku": "B-7", "qty": 1, "price": 5.5}], "paid": false, "comment": null}"#,
    """
    {
      "title": "Café au lait — a short recipe",
      "steps": ["Heat the milk to 65 °C.", "Brew strong coffee.", "Mix one to one; serve at once."],
      "serves": 2,
      "tags": ["coffee", "breakfast", "français"]
    }
    """,
    #"[{"x": 1, "y": -2.5e3}, {"x": 0, "y": 0.125}, [], {}, "a \"quoted\" word\n", 12345678]"#,
]

let personSchema = #"""
{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 80},
    "age": {"type": "integer", "minimum": 0, "maximum": 150},
    "email": {"type": ["string", "null"]},
    "id": {"type": "string", "format": "uuid"},
    "born": {"type": "string", "format": "date"},
    "role": {"enum": ["admin", "editor", "viewer"]},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 20}, "maxItems": 8},
    "address": {
      "type": "object",
      "properties": {
        "street": {"type": "string"},
        "city": {"type": "string"},
        "zip": {"type": "string", "pattern": "^[0-9]{5}(-[0-9]{4})?$"},
        "country": {"const": "FR"}
      },
      "required": ["street", "city", "zip", "country"],
      "additionalProperties": false
    },
    "scores": {"type": "array", "items": {"type": "number"}, "minItems": 1, "maxItems": 5},
    "manager": {"anyOf": [{"$ref": "#/$defs/ref"}, {"type": "null"}]},
    "active": {"type": "boolean"}
  },
  "required": ["name", "age", "email", "id", "born", "role", "tags", "address", "scores", "manager", "active"],
  "additionalProperties": false,
  "$defs": {"ref": {"type": "object", "properties": {"name": {"type": "string"}, "reports": {"type": "array", "items": {"$ref": "#/$defs/ref"}}}, "required": ["name", "reports"], "additionalProperties": false}}
}
"""#

let personDocuments = [
    #"{"name": "Ada Lovelace", "age": 36, "email": "ada@example.org", "id": "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b", "born": "1815-12-10", "role": "admin", "tags": ["math", "poetry"], "address": {"street": "12 rue de la Paix", "city": "Paris", "zip": "75002", "country": "FR"}, "scores": [9.5, 8, 10], "manager": {"name": "Charles", "reports": [{"name": "Ada", "reports": []}]}, "active": true}"#,
    #"{"name": "Émile Zola", "age": 62, "email": null, "id": "00000000-0000-4000-8000-000000000000", "born": "1840-04-02", "role": "viewer", "tags": [], "address": {"street": "21 bis rue de Bruxelles", "city": "Paris", "zip": "75009-1234", "country": "FR"}, "scores": [1.25e2], "manager": null, "active": false}"#,
]

func benchCases() -> [BenchCase] {
    [
        BenchCase(name: "JSON (generic, Grammar.json)", grammar: { Grammar.json }, documents: jsonDocuments),
        BenchCase(name: "JSON Schema (person, 11 properties, nested, $ref recursion)",
                  grammar: { try Grammar(jsonSchema: personSchema) }, documents: personDocuments),
    ]
}
