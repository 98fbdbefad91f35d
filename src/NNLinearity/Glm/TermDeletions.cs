using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

/// <summary>One row of a single-term deletion table: the fit without one term (the first row, "&lt;none&gt;", is the fit itself).</summary>
/// <param name="Term">The term dropped, or "&lt;none&gt;".</param>
/// <param name="DegreesOfFreedom">Coefficients lost by dropping it (NaN on the first row).</param>
/// <param name="Deviance">Residual deviance without the term.</param>
/// <param name="Aic">AIC without the term (NaN for families without a likelihood).</param>
/// <param name="Statistic">The likelihood-ratio statistic (scaled by the dispersion where it is estimated) or the F value; NaN on the first row.</param>
/// <param name="PValue">Its p-value (NaN on the first row).</param>
/// <remarks>Thread safety: an immutable record; safe to share across threads.</remarks>
public sealed record TermDeletion(string Term, double DegreesOfFreedom, double Deviance, double Aic, double Statistic, double PValue);

/// <summary>Single-term deletions of a fit from a formula (R's <c>drop1(fit, test = )</c>).</summary>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed class TermDeletions
{
    private TermDeletions(IReadOnlyList<TermDeletion> rows, AnovaTest test, bool scaled)
    {
        Rows = rows;
        Test = test;
        StatisticIsScaled = scaled;
    }

    /// <summary>"&lt;none&gt;" first, then each term that no other term contains (R's drop.scope), in the formula's order.</summary>
    public IReadOnlyList<TermDeletion> Rows { get; }

    /// <summary>The test: chi-square on the (scaled) likelihood-ratio statistic, or F on the deviance change.</summary>
    public AnovaTest Test { get; }

    /// <summary>True when the dispersion is not 1, so the chi-square statistic is the scaled deviance (R's "scaled dev.").</summary>
    public bool StatisticIsScaled { get; }

    /// <summary>Drops each droppable term in turn and refits by IRLS with the fit's weights and offset, as R's <c>drop1.glm</c>.</summary>
    /// <param name="fit">A fit made from a formula.</param>
    /// <param name="test">Chi-square (R's test = "Chisq", the default) or F.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">The fit was made from a matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="test"/> is not an <see cref="AnovaTest"/>.</exception>
    public static TermDeletions Compute(GlmFit fit, AnovaTest test = AnovaTest.ChiSquare)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (!Enum.IsDefined(test)) throw new ArgumentOutOfRangeException(nameof(test), test, $"test {(int)test} is not one of {string.Join(", ", Enum.GetNames<AnovaTest>())}.");
        Formulas.ModelDesign design = fit.Design ?? throw new ArgumentException("The fit was made from a matrix; single-term deletions need a fit from a formula.", nameof(fit));
        Formulas.ModelTerms terms = design.Terms;
        int nt = terms.TermLabels.Count;
        // R's drop.scope: a term may be dropped when no other term contains all its variables.
        int[] scope = Enumerable.Range(0, nt).Where(i => !Enumerable.Range(0, nt).Any(j => j != i && terms.TermVariables(i).All(v => terms.TermVariables(j).Contains(v)))).ToArray();
        int n = design.RowCount;
        var labels = new List<string> { "<none>" };
        var ranks = new List<double> { fit.Rank };
        var devs = new List<double> { fit.Deviance };
        var control = new GlmOptions();
        foreach (int t in scope)
        {
            int term = t + 1;
            GlmFit reduced = Glm.FitDesign(design, fit.Family, fit.Link, control, j => design.Assign[j] != term);
            labels.Add(terms.TermLabels[t]);
            ranks.Add(reduced.Rank);
            devs.Add(reduced.Deviance);
        }

        double dispersion = fit.Dispersion;
        bool gaussian = fit.Family is Families.GaussianFamily;
        double[] loglik = devs.Select(d => gaussian ? n * Math.Log(d / n) : d / dispersion).ToArray();
        double[] aic = loglik.Select((l, i) => l + 2 * ranks[i]).ToArray();
        double shift = fit.Aic is double a ? a - aic[0] : double.NaN;
        var rows = new List<TermDeletion>();
        double rms = fit.Deviance / fit.ResidualDegreesOfFreedom;
        for (int i = 0; i < labels.Count; i++)
        {
            double df = i == 0 ? double.NaN : ranks[0] - ranks[i];
            double stat = double.NaN, p = double.NaN;
            if (i > 0 && test == AnovaTest.ChiSquare)
            {
                stat = Math.Max(0, loglik[i] - loglik[0]);
                p = Distributions.ChiSquareUpper(stat, df);
            }
            else if (i > 0)
            {
                stat = df < 1e-4 ? double.NaN : Math.Max(0, devs[i] - devs[0]) / df / rms;
                p = double.IsNaN(stat) ? double.NaN : Distributions.FUpper(stat, df, fit.ResidualDegreesOfFreedom);
            }

            rows.Add(new TermDeletion(labels[i], df, devs[i], aic[i] + shift, stat, p));
        }

        return new TermDeletions(rows, test, dispersion != 1);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("Single term deletions").AppendLine().AppendLine();
        int w = Math.Max(6, Rows.Max(r => r.Term.Length));
        string stat = Test == AnovaTest.F ? " F value   Pr(>F)" : StatisticIsScaled ? " scaled dev. Pr(>Chi)" : "     LRT Pr(>Chi)";
        sb.Append(' ', w).Append("  Df Deviance      AIC").Append(stat).AppendLine();
        foreach (TermDeletion r in Rows)
        {
            sb.Append(r.Term.PadRight(w));
            sb.Append(double.IsNaN(r.DegreesOfFreedom) ? "    " : string.Create(c, $" {r.DegreesOfFreedom,3}"));
            sb.Append(c, $" {r.Deviance,8:F3} {r.Aic,8:F3}");
            if (!double.IsNaN(r.Statistic)) sb.Append(c, $" {r.Statistic,8:F4}").Append(' ').Append(GlmAnova.FormatP(r.PValue).PadLeft(9));
            sb.AppendLine();
        }

        return sb.ToString();
    }
}
