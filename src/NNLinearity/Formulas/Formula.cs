using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NNLinearity.Formulas;

/// <summary>
/// An R model formula, <c>y ~ x1 + log(x2) + f * g + offset(log(t))</c>, parsed. <see cref="Expand"/> turns it into
/// <see cref="ModelTerms"/> by R's term algebra (<c>+ - : * / %in% ^ .</c>, <c>0</c>/<c>1</c>/<c>-1</c>, <c>offset()</c>).
/// </summary>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed class Formula
{
    private readonly Node? _response;
    private readonly Node _rhs;

    private Formula(string text, Node? response, Node rhs)
    {
        Text = text;
        _response = response;
        _rhs = rhs;
    }

    /// <summary>The formula as written.</summary>
    public string Text { get; }

    /// <summary>The response as R deparses it (<c>y</c>, <c>cbind(s, f)</c>, <c>log(y)</c>), or null for a one-sided formula.</summary>
    public string? Response => _response?.Deparse();

    internal Node? ResponseNode => _response;

    /// <summary>Parses a formula.</summary>
    /// <param name="text">The formula, for example <c>"y ~ a * b + log(x)"</c>.</param>
    /// <returns>The formula.</returns>
    /// <exception cref="FormulaSyntaxException">The text does not parse; the message points at the character and says what was expected.</exception>
    public static Formula Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        (Node? response, Node rhs) = FormulaParser.Parse(text);
        return new Formula(text, response, rhs);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Expands the right-hand side into terms, as R's <c>terms.formula</c> does.</summary>
    /// <param name="columns">The data's column names, for <c>.</c> (all columns not in the response); null when the formula has no dot.</param>
    /// <returns>The terms: variables, term labels in R's order, intercept, offsets and the factor-coding matrix.</returns>
    /// <exception cref="ArgumentException">A dot without columns, or a term the algebra does not accept (a number other than 0 or 1, <c>^</c> with a non-integer power).</exception>
    public ModelTerms Expand(IReadOnlyList<string>? columns = null)
    {
        var e = new Expander(this, columns);
        return e.Run(_rhs);
    }

#pragma warning disable CA2208 // errors name the public argument that carries the formula
    /// <summary>R's term algebra on sets of variable indices.</summary>
    private sealed class Expander(Formula formula, IReadOnlyList<string>? columns)
    {
        private readonly List<Node> _variables = [];
        private readonly List<Node> _offsets = [];
        private bool _intercept = true;
        private int _responseVariable = -1;

        public ModelTerms Run(Node rhs)
        {
            if (formula._response is not null) _responseVariable = Variable(formula._response);
            List<SortedSet<int>> terms = Encode(rhs);
            var kept = terms.Where(t => t.Count > 0).Select((t, i) => (Term: t, Index: i)).OrderBy(t => t.Term.Count).ThenBy(t => t.Index).Select(t => t.Term).ToList();
            string[] labels = kept.Select(t => string.Join(":", t.Select(v => _variables[v].Deparse()))).ToArray();
            // R's factors attribute: 1 where the variable is coded by contrasts (the term without it is contained in a
            // preceding term, or is empty), 2 where it is coded by indicators.
            var factors = new int[_variables.Count, kept.Count];
            for (int k = 0; k < kept.Count; k++)
            {
                foreach (int v in kept[k])
                {
                    var without = new SortedSet<int>(kept[k]);
                    without.Remove(v);
                    bool margin = without.Count == 0 || kept.Take(k).Any(prev => without.IsSubsetOf(prev));
                    factors[v, k] = margin ? 1 : 2;
                }
            }

            return new ModelTerms(formula, _variables.ToArray(), _responseVariable, kept.Select(t => t.ToArray()).ToArray(), labels, _intercept, _offsets.ToArray(), factors);
        }

        private int Variable(Node node)
        {
            string label = node.Deparse();
            int i = _variables.FindIndex(v => v.Deparse() == label);
            if (i >= 0) return i;
            _variables.Add(node);
            return _variables.Count - 1;
        }

        private List<SortedSet<int>> Single(Node node) => [new SortedSet<int> { Variable(node) }];

        private static List<SortedSet<int>> Union(List<SortedSet<int>> a, List<SortedSet<int>> b)
        {
            var r = new List<SortedSet<int>>(a);
            foreach (SortedSet<int> t in b)
            {
                if (!r.Any(x => x.SetEquals(t))) r.Add(t);
            }

            return r;
        }

        private static List<SortedSet<int>> Interact(List<SortedSet<int>> a, List<SortedSet<int>> b)
        {
            var r = new List<SortedSet<int>>();
            foreach (SortedSet<int> l in a)
            {
                foreach (SortedSet<int> t in b)
                {
                    var u = new SortedSet<int>(l);
                    u.UnionWith(t);
                    if (!r.Any(x => x.SetEquals(u))) r.Add(u);
                }
            }

            return r;
        }

        private static SortedSet<int> AllVariables(List<SortedSet<int>> terms)
        {
            var all = new SortedSet<int>();
            foreach (SortedSet<int> t in terms) all.UnionWith(t);
            return all;
        }

        private List<SortedSet<int>> Encode(Node node)
        {
            switch (node)
            {
                case ParenNode p:
                    return Encode(p.Inner);
                case NumberNode n when n.Value is 0 or 1:
                    _intercept = n.Value == 1;
                    return [];
                case NumberNode n:
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The formula '{formula.Text}' has the number {n.Value} as a term; only 0 and 1 (the intercept) are terms."), "formula");
                case DotNode:
                    if (columns is null) throw new ArgumentException($"The formula '{formula.Text}' uses '.', which needs the data's columns.", "formula");
                    var names = new HashSet<string>(formula._response is null ? [] : Names(formula._response), StringComparer.Ordinal);
                    var dot = new List<SortedSet<int>>();
                    foreach (string c in columns.Where(c => !names.Contains(c))) dot = Union(dot, Single(new NameNode(c)));
                    return dot;
                case UnaryNode { Op: '-' } u:
                    if (u.Operand is NumberNode { Value: 0 or 1 } dropped) _intercept = dropped.Value == 0; // -1 drops the intercept, -0 keeps it
                    return [];
                case BinaryNode { Op: "+" } b:
                    return Union(Encode(b.Left), Encode(b.Right));
                case BinaryNode { Op: "-" } b:
                {
                    List<SortedSet<int>> left = Encode(b.Left);
                    if (b.Right is NumberNode { Value: 0 or 1 } z)
                    {
                        _intercept = z.Value == 0;
                        return left;
                    }

                    List<SortedSet<int>> right = Encode(b.Right);
                    return left.Where(t => !right.Any(r => r.SetEquals(t))).ToList();
                }

                case BinaryNode { Op: ":" } b:
                    return Interact(Encode(b.Left), Encode(b.Right));
                case BinaryNode { Op: "*" } b:
                {
                    List<SortedSet<int>> left = Encode(b.Left), right = Encode(b.Right);
                    return Union(Union(left, right), Interact(left, right));
                }

                case BinaryNode { Op: "%in%" } b:
                {
                    List<SortedSet<int>> left = Encode(b.Left);
                    SortedSet<int> all = AllVariables(Encode(b.Right));
                    return Interact(left, [all]);
                }

                case BinaryNode { Op: "/" } b:
                {
                    List<SortedSet<int>> left = Encode(b.Left);
                    SortedSet<int> all = AllVariables(left);
                    return Union(left, Interact([all], Encode(b.Right)));
                }

                case BinaryNode { Op: "^" } b:
                {
                    if (b.Right is not NumberNode { Value: >= 1 } power || power.Value != Math.Floor(power.Value))
                    {
                        throw new ArgumentException($"In '{formula.Text}', '^' needs a whole positive power: {b.Deparse()}.", "formula");
                    }

                    List<SortedSet<int>> baseTerms = Encode(b.Left), result = baseTerms;
                    for (int i = 1; i < (int)power.Value; i++) result = Union(result, Interact(result, baseTerms));
                    return result;
                }

                case CallNode { Function: "offset" } c:
                    if (c.Arguments.Count != 1) throw new ArgumentException($"offset() takes one argument: {c.Deparse()}.", "formula");
                    _offsets.Add(c.Arguments[0].Value);
                    return [];
                default:
                    return Single(node);
            }
        }

        private static IEnumerable<string> Names(Node node) => node switch
        {
            NameNode n => [n.Name],
            ParenNode p => Names(p.Inner),
            UnaryNode u => Names(u.Operand),
            BinaryNode b => Names(b.Left).Concat(Names(b.Right)),
            CallNode c => c.Arguments.SelectMany(a => Names(a.Value)),
            _ => [],
        };
    }
#pragma warning restore CA2208
}

/// <summary>
/// A formula's terms, as R's <c>terms</c> object holds them: the variables in order of appearance (the response
/// first), the term labels ordered by degree, whether there is an intercept, the offsets, and the factor-coding matrix.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed class ModelTerms
{
    private readonly Node[] _variables;
    private readonly int[][] _terms;
    private readonly int[,] _factors;

    internal ModelTerms(Formula formula, Node[] variables, int response, int[][] terms, string[] labels, bool intercept, Node[] offsets, int[,] factors)
    {
        Formula = formula;
        _variables = variables;
        ResponseIndex = response;
        _terms = terms;
        TermLabels = labels;
        HasIntercept = intercept;
        OffsetNodes = offsets;
        _factors = factors;
    }

    /// <summary>The formula.</summary>
    public Formula Formula { get; }

    /// <summary>The variables (R's <c>variables</c> attribute): the response first when there is one, then each distinct expression in order of appearance.</summary>
    public IReadOnlyList<string> Variables => _variables.Select(v => v.Deparse()).ToArray();

    /// <summary>The term labels (R's <c>term.labels</c>), main effects first, then by degree.</summary>
    public IReadOnlyList<string> TermLabels { get; }

    /// <summary>Whether the model has an intercept.</summary>
    public bool HasIntercept { get; }

    /// <summary>The offset expressions in the formula (<c>log(t)</c> for <c>offset(log(t))</c>).</summary>
    public IReadOnlyList<string> Offsets => OffsetNodes.Select(o => o.Deparse()).ToArray();

    /// <summary>
    /// R's <c>factors</c> attribute: entry [variable, term] is 0 when the variable is not in the term, 1 when a factor
    /// there is coded by contrasts (the term without it is in the model before it), 2 when by indicators.
    /// </summary>
    /// <param name="variable">Index into <see cref="Variables"/>.</param>
    /// <param name="term">Index into <see cref="TermLabels"/>.</param>
    /// <returns>0, 1 or 2.</returns>
    public int FactorCode(int variable, int term) => _factors[variable, term];

    internal int ResponseIndex { get; }

    internal Node VariableNode(int i) => _variables[i];

    internal int VariableCount => _variables.Length;

    internal IReadOnlyList<int> TermVariables(int term) => _terms[term];

    internal Node[] OffsetNodes { get; }
}
