using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace NNLinearity.Formulas;

/// <summary>A formula that does not parse: where, and what was expected there.</summary>
/// <remarks>Thread safety: as any exception.</remarks>
public sealed class FormulaSyntaxException : FormatException
{
    /// <summary>Creates the exception without a position.</summary>
    public FormulaSyntaxException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public FormulaSyntaxException(string? message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public FormulaSyntaxException(string? message, Exception? innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a formula, the character at which parsing failed and what was expected.</summary>
    /// <param name="formula">The formula text.</param>
    /// <param name="position">Zero-based index of the offending character (the text's length at its end).</param>
    /// <param name="expected">What was expected there.</param>
    public FormulaSyntaxException(string formula, int position, string expected)
        : base(Describe(formula, position, expected))
    {
        Formula = formula;
        Position = position;
        Expected = expected;
    }

    /// <summary>The formula text.</summary>
    public string? Formula { get; }

    /// <summary>Zero-based index of the offending character.</summary>
    public int Position { get; }

    /// <summary>What was expected at <see cref="Position"/>.</summary>
    public string? Expected { get; }

    private static string Describe(string formula, int position, string expected)
    {
        string found = position >= formula.Length ? "the end of the formula" : $"'{formula[position]}'";
        return string.Create(CultureInfo.InvariantCulture, $"Formula syntax error at character {position + 1}: expected {expected}, found {found}.\n  {formula}\n  {new string(' ', position)}^");
    }
}

/// <summary>A node of a parsed formula: R's expression tree, restricted to what formulas use.</summary>
internal abstract record Node
{
    /// <summary>R's deparse of the expression, as it labels columns (<c>log(x + 1)</c>, <c>I(x^2)</c>, <c>poly(x, 2)</c>).</summary>
    public abstract string Deparse();

    public string Label => Deparse();
}

internal sealed record NameNode(string Name) : Node
{
    public override string Deparse() => IsSyntactic(Name) ? Name : "`" + Name + "`";

    private static bool IsSyntactic(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '.') && name.All(c => char.IsLetterOrDigit(c) || c is '.' or '_');
}

internal sealed record NumberNode(double Value) : Node
{
    public override string Deparse() => Value.ToString("G15", CultureInfo.InvariantCulture);
}

internal sealed record StringNode(string Value) : Node
{
    public override string Deparse() => "\"" + Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

internal sealed record DotNode : Node
{
    public override string Deparse() => ".";
}

internal sealed record ParenNode(Node Inner) : Node
{
    public override string Deparse() => "(" + Inner.Deparse() + ")";
}

internal sealed record UnaryNode(char Op, Node Operand) : Node
{
    public override string Deparse() => Op + Operand.Deparse();
}

internal sealed record BinaryNode(string Op, Node Left, Node Right) : Node
{
    // R's deparse: spaces around + - * and %in%, none around ^ / :.
    public override string Deparse() => Op is "^" or "/" or ":" ? Left.Deparse() + Op + Right.Deparse() : Left.Deparse() + " " + Op + " " + Right.Deparse();
}

internal sealed record Argument(string? Name, Node Value)
{
    public string Deparse() => Name is null ? Value.Deparse() : Name + " = " + Value.Deparse();
}

internal sealed record CallNode(string Function, IReadOnlyList<Argument> Arguments) : Node
{
    public override string Deparse() => Function + "(" + string.Join(", ", Arguments.Select(a => a.Deparse())) + ")";

    public Node? Named(string name, int position) =>
        Arguments.FirstOrDefault(a => a.Name == name)?.Value ?? Arguments.Where(a => a.Name is null).Skip(position).FirstOrDefault()?.Value;

    public bool Equals(CallNode? other) => other is not null && Function == other.Function && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode() => HashCode.Combine(Function, Arguments.Count);
}

/// <summary>
/// Recursive-descent parser for R's formula grammar with R's operator precedence: <c>~</c>, then binary <c>+ -</c>,
/// then <c>* /</c>, then <c>%in%</c>, then <c>:</c>, then unary minus, then <c>^</c>; calls, names (backquoted too),
/// numbers, strings, <c>.</c> and parentheses.
/// </summary>
internal sealed class FormulaParser
{
    private readonly string _text;
    private int _pos;

    private FormulaParser(string text) => _text = text;

    /// <summary>Parses "lhs ~ rhs" or "~ rhs": the response (or null) and the right-hand side.</summary>
    public static (Node? Response, Node Rhs) Parse(string text)
    {
        var p = new FormulaParser(text);
        p.Skip();
        Node? lhs = null;
        if (!p.Peek('~')) lhs = p.Sum();
        p.Skip();
        if (!p.Peek('~')) throw p.Error("'~' between the response and the terms");
        p._pos++;
        Node rhs = p.Sum();
        p.Skip();
        if (p._pos < text.Length) throw p.Error("an operator (+ - * / : ^ %in%) or the end of the formula");
        return (lhs, rhs);
    }

    private FormulaSyntaxException Error(string expected) => new(_text, _pos, expected);

    private void Skip()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private bool Peek(char c)
    {
        Skip();
        return _pos < _text.Length && _text[_pos] == c;
    }

    private bool PeekString(string s)
    {
        Skip();
        return string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;
    }

    private Node Sum()
    {
        Node left = Product();
        while (Peek('+') || Peek('-'))
        {
            string op = _text[_pos++].ToString();
            left = new BinaryNode(op, left, Product());
        }

        return left;
    }

    private Node Product()
    {
        Node left = In();
        while (Peek('*') || Peek('/'))
        {
            string op = _text[_pos++].ToString();
            left = new BinaryNode(op, left, In());
        }

        return left;
    }

    private Node In()
    {
        Node left = Colon();
        while (PeekString("%in%"))
        {
            _pos += 4;
            left = new BinaryNode("%in%", left, Colon());
        }

        return left;
    }

    private Node Colon()
    {
        Node left = Unary();
        while (Peek(':'))
        {
            _pos++;
            left = new BinaryNode(":", left, Unary());
        }

        return left;
    }

    private Node Unary()
    {
        if (Peek('-'))
        {
            _pos++;
            return new UnaryNode('-', Unary());
        }

        if (Peek('+'))
        {
            _pos++;
            return Unary();
        }

        return Power();
    }

    private Node Power()
    {
        Node b = Primary();
        if (Peek('^'))
        {
            _pos++;
            return new BinaryNode("^", b, Unary()); // right-associative; R: -x^2 is -(x^2), 2^-1 allowed
        }

        return b;
    }

    private Node Primary()
    {
        Skip();
        if (_pos >= _text.Length) throw Error("a variable, a number, a call or '('");
        char c = _text[_pos];
        if (c == '(')
        {
            _pos++;
            Node inner = Sum();
            if (!Peek(')')) throw Error("')'");
            _pos++;
            return new ParenNode(inner);
        }

        if (c is '"' or '\'') return new StringNode(ReadString(c));
        if (char.IsDigit(c) || (c == '.' && _pos + 1 < _text.Length && char.IsDigit(_text[_pos + 1]))) return new NumberNode(ReadNumber());
        if (c == '`')
        {
            int end = _text.IndexOf('`', _pos + 1);
            if (end < 0) { _pos = _text.Length; throw Error("a closing '`'"); }
            string name = _text[(_pos + 1)..end];
            _pos = end + 1;
            return (Node?)Call(name) ?? new NameNode(name);
        }

        if (char.IsLetter(c) || c == '.')
        {
            int start = _pos;
            while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '.' or '_')) _pos++;
            string name = _text[start.._pos];
            if (name == ".") return new DotNode();
            return (Node?)Call(name) ?? new NameNode(name);
        }

        throw Error("a variable, a number, a call or '('");
    }

    private CallNode? Call(string name)
    {
        if (!Peek('(')) return null;
        _pos++;
        var args = new List<Argument>();
        if (Peek(')'))
        {
            _pos++;
            return new CallNode(name, args);
        }

        while (true)
        {
            Skip();
            string? argName = null;
            int save = _pos;
            if (_pos < _text.Length && (char.IsLetter(_text[_pos]) || _text[_pos] == '.'))
            {
                int start = _pos;
                while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '.' or '_')) _pos++;
                string candidate = _text[start.._pos];
                if (Peek('=') && !PeekString("==")) { _pos++; argName = candidate; }
                else _pos = save;
            }

            args.Add(new Argument(argName, Sum()));
            if (Peek(','))
            {
                _pos++;
                continue;
            }

            if (Peek(')'))
            {
                _pos++;
                return new CallNode(name, args);
            }

            throw Error("',' or ')'");
        }
    }

    private string ReadString(char quote)
    {
        var sb = new StringBuilder();
        int start = _pos++;
        while (_pos < _text.Length && _text[_pos] != quote)
        {
            if (_text[_pos] == '\\' && _pos + 1 < _text.Length) _pos++;
            sb.Append(_text[_pos++]);
        }

        if (_pos >= _text.Length) { _pos = start; throw Error("a closed string"); }
        _pos++;
        return sb.ToString();
    }

    private double ReadNumber()
    {
        int start = _pos;
        while (_pos < _text.Length && (char.IsDigit(_text[_pos]) || _text[_pos] == '.')) _pos++;
        if (_pos < _text.Length && _text[_pos] is 'e' or 'E')
        {
            _pos++;
            if (_pos < _text.Length && _text[_pos] is '+' or '-') _pos++;
            while (_pos < _text.Length && char.IsDigit(_text[_pos])) _pos++;
        }

        if (_pos < _text.Length && _text[_pos] == 'L') _pos++; // R's integer suffix
        string s = _text[start.._pos].TrimEnd('L');
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) { _pos = start; throw Error("a number"); }
        return v;
    }
}
