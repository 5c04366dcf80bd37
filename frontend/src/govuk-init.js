// Loaded by base.html as <script type="module">: starts GOV.UK Frontend's components.
// Kept as a file (not inline) so a Content-Security-Policy without 'unsafe-inline' works.
import { initAll } from './govuk/govuk-frontend.min.js'

initAll()
